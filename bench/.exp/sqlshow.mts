import { openDatabase } from '../../packages/server/src/db/index.ts';
import { usersStore } from '../../packages/server/src/modules/users/store.ts';
const handle = openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/qprobe' });
const orig = (handle.db as any).getExecutor();
const store = usersStore(handle.db.withPlugin({ transformQuery: (a: any) => a.node, transformResult: async (a: any) => a.result }));
const pool = (handle as any);
const t = [] as number[];
for (let i = 0; i < 20; i++) { const t0 = performance.now(); await store.list({ q: 'wildDr', sort: 'id' }, { limit: 51 }); t.push(performance.now() - t0); }
console.log(t.map((x) => x.toFixed(1)).join(' '));
const t2 = [] as number[];
for (let i = 0; i < 20; i++) { const t0 = performance.now(); await store.countSearch({ q: 'lena.h' }); t2.push(performance.now() - t0); }
console.log(t2.map((x) => x.toFixed(1)).join(' '));
const c = handle.db.with('x', (qc) => qc.selectFrom('users').select('id').limit(1)).selectFrom('x').selectAll().compile();
await handle.close();
