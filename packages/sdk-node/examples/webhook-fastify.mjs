// Receiving webhooks with Fastify: keep the raw body in the webhook plugin, verify it, then handle the event.
import Fastify from 'fastify';
import { verifyWebhook, WebhookVerificationError } from '@gatrix/nodejs-sdk';

const app = Fastify();

await app.register(async (webhooks) => {
  // In this plugin only, JSON bodies stay the Buffer Gatrix signed; other routes parse JSON as usual.
  webhooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  webhooks.post('/webhook/worlds', async (req, reply) => {
    let delivery;
    try {
      delivery = verifyWebhook(req.body, req.headers, process.env.WEBHOOK_SECRET);
    } catch (err) {
      if (err instanceof WebhookVerificationError) return reply.code(401).send({ error: 'Invalid signature', reason: err.reason });
      throw err;
    }
    if (delivery.event === 'world.maintenance_started') {
      console.log(`world.maintenance_started ${delivery.data.worldId}: ${delivery.data.message}`);
    } else if (delivery.event === 'world.maintenance_ended') {
      console.log(`world.maintenance_ended ${delivery.data.worldId}`);
    }
    return { received: true };
  });
});

const address = await app.listen({ port: Number(process.env.PORT || 3000), host: process.env.HOST || '127.0.0.1' });
console.log(`listening on ${new URL(address).port}`);
