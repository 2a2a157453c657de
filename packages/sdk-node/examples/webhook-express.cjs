// Receiving webhooks with Express: verify the raw body, then handle the parsed event.
const express = require('express');
const { webhookMiddleware } = require('@gatrix/nodejs-sdk');

const app = express();
const verified = webhookMiddleware(process.env.WEBHOOK_SECRET);

// The middleware reads and checks the body exactly as Gatrix signed it, so put it on the webhook routes
// before any express.json(). Then req.body is the verified event; a forged request gets 401.
app.post('/webhook/users', verified, (req, res) => {
  const { event, data } = req.body;
  switch (event) {
    case 'user.created':
      console.log(`user.created ${data.user.username}`);
      break;
    case 'user.updated':
      console.log(`user.updated ${data.userId} ${Object.keys(data.changes).join(',')}`);
      break;
    case 'user.deleted':
      console.log(`user.deleted ${data.userId}`);
      break;
    default:
      console.log(`other ${event}`);
  }
  res.status(200).json({ received: true });
});

app.use(express.json()); // the rest of the app parses JSON as usual

const server = app.listen(Number(process.env.PORT || 3000), process.env.HOST, () => {
  console.log(`listening on ${server.address().port}`);
});
