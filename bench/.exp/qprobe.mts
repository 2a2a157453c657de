import { openDatabase } from '../../packages/server/src/db/index.ts';
import { usersStore } from '../../packages/server/src/modules/users/store.ts';
import { prng } from '../seed-users.ts';
const handle = openDatabase({ url: process.env.URL ?? 'postgres://postgres@127.0.0.1:5432/qprobe' });
const db = handle.db;
const store = usersStore(db);
const random = prng(Number(process.env.SEED ?? 11));
const maxId = 1_000_000;
const FILTERS = ['role=player', 'role=viewer', 'role=operator', 'status=active'];
const reqs: Record<string, string>[] = [];
while (reqs.length < Number(process.env.N ?? 300)) {
  const at = 1 + Math.floor(random() * maxId);
  const [row] = await store.list({ sort: 'id' }, { limit: 1, cursor: { value: at - 1, id: at - 1 } });
  if (!row) continue;
  const source = random() < 0.5 ? row.username : row.email;
  const q = source.slice(0, 1 + Math.floor(random() * 6));
  const f: Record<string, string> = random() < 0.3 ? Object.fromEntries(new URLSearchParams(FILTERS[Math.floor(random() * 4)])) : {};
  reqs.push({ ...f, q });
}
const parts = { page: [] as number[], planned: [] as number[], count: [] as number[], all: [] as number[] };
const slow: [number, string, number, number, number][] = [];
for (let pass = 0; pass < 2; pass++) {
  for (const f of reqs) {
    const t0 = performance.now();
    await store.list({ ...f, sort: 'id' }, { limit: 51 });
    const t1 = performance.now();
    const search = await store.countSearch(f);
    const t2 = performance.now();
    let counted = search ? search.count : -1;
    if (!search?.complete) { await store.plannedRows(f); }
    const t3 = performance.now();
    if (pass === 1) {
      parts.page.push(t1 - t0); parts.planned.push(t2 - t1); if (counted >= 0) parts.count.push(t3 - t2); parts.all.push(t3 - t0);
      slow.push([t3 - t0, JSON.stringify(f), t1 - t0, t3 - t2, counted]);
    }
  }
}
const q = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1); };
for (const [k, a] of Object.entries(parts)) console.log(k.padEnd(8), 'n', a.length, 'p50', q(a, 0.5), 'p90', q(a, 0.9), 'p99', q(a, 0.99), 'max', q(a, 1));
slow.sort((a, b) => b[0] - a[0]);
for (const s of slow.slice(0, 15)) console.log(s[0].toFixed(1), s[1], 'page', s[2].toFixed(1), 'count', s[3].toFixed(1), 'n', s[4]);
await handle.close();
