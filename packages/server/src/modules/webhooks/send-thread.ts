/**
 * The webhook sender thread: signs and POSTs the deliveries the worker hands it (see sender.ts), so that
 * the HTTP client's work runs beside the node's event loop instead of on it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPoster, type PosterOptions, type SendRequest, type SendResponse } from './poster.ts';

const { options, allowPrivateNetworks } = workerData as { options: PosterOptions; allowPrivateNetworks: boolean };
const poster = createPoster(options, { allowPrivateNetworks });
const port = parentPort!;
let replies: [number, SendResponse][] = [];
let scheduled = false;

function reply(seq: number, r: SendResponse): void {
  replies.push([seq, r]);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const batch = replies;
    replies = [];
    port.postMessage(batch);
  });
}

port.on('message', (batch: [number, SendRequest][] | 'close') => {
  if (batch === 'close') {
    poster.close();
    port.close();
    return;
  }
  for (const [seq, r] of batch) void poster.send(r).then((res) => reply(seq, res));
});
