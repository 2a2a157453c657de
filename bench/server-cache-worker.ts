/**
 * Not a benchmark: one process of bench/server-cache.ts's propagation run. Opens BENCH_CACHES GatrixServerCache
 * instances (live stream) on BENCH_BASE with BENCH_KEY, prints `ready`, then, whenever an IP of BENCH_WATCH (comma
 * separated) becomes whitelisted in a cache, prints `seen <ip> <ms since epoch>`, and `gone <ip> <ms>` when it stops
 * being so (once per cache and change). Exits on stdin end.
 */
import { GatrixServerCache } from '../packages/sdk-node/src/index.ts';

const count = Number(process.env.BENCH_CACHES);
const watch = (process.env.BENCH_WATCH ?? '').split(',');
const caches = Array.from({ length: count }, () => new GatrixServerCache({ apiKey: process.env.BENCH_KEY, baseURL: process.env.BENCH_BASE, revalidateMs: 600_000 }));
await Promise.all(caches.map((c) => c.ready()));
for (const cache of caches) {
  const state = new Map(watch.map((ip) => [ip, false]));
  cache.on('updated', () => {
    for (const [ip, was] of state) {
      const now = cache.isWhitelisted({ ip });
      if (now === was) continue;
      state.set(ip, now);
      process.stdout.write(`${now ? 'seen' : 'gone'} ${ip} ${Date.now()}\n`);
    }
  });
}
// Wait until every socket is connected, so a change is not missed between ready() and the stream.
await new Promise<void>((resolve) => {
  const check = () => (caches.every((c) => c.connected) ? resolve() : setTimeout(check, 20));
  check();
});
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => void Promise.all(caches.map((c) => c.close())).then(() => process.exit(0)));
