/**
 * Diagnostic, not a benchmark: the database work of webhook delivery alone, per delivery, through the worker's
 * own store functions — the fan-out insert (1,000 rows per transaction, as a 100-event feeder request makes), the
 * claim (64 at a time) and the recording of each claimed batch as delivered (existence check, attempt rows,
 * delivered update, endpoint streaks; one transaction) — over a queue kept 20,000 deliveries deep. Prints the CPU
 * time of this process per delivery for each step and, on PostgreSQL, of the database's backends.
 *
 *   node --import tsx bench/webhook-store-cost.ts                    (SQLite, a fresh file)
 *   STORE_COST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh database> node --import tsx bench/webhook-store-cost.ts
 *
 * STORE_COST_DELIVERIES (60000) deliveries are measured. The PostgreSQL database should be fresh and used by
 * nothing else: its backends are found by their process titles (Linux).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// The whole server's modules: the event catalog and change topics the stores are typed against are declared across them.
import '../packages/server/src/app/services.ts';
import { inTransaction } from '../packages/server/src/context.ts';
import { migrate, openDatabase } from '../packages/server/src/db/index.ts';
import { deliveryStore } from '../packages/server/src/modules/webhooks/delivery-store.ts';
import { pendingDelivery, webhooksStore } from '../packages/server/src/modules/webhooks/store.ts';
import { CLK_TCK, envInt, fmt, worldUpdatedEnvelope } from './lib.ts';

const PG_URL = process.env.STORE_COST_DATABASE_URL;
const TOTAL = envInt('STORE_COST_DELIVERIES', 60_000, 1000);
const ENDPOINTS = 10;
const BACKLOG = 20_000;

const dir = PG_URL ? undefined : mkdtempSync(path.join(tmpdir(), 'gatrix-store-cost-'));
const handle = PG_URL ? openDatabase({ url: PG_URL }) : openDatabase({ sqliteFile: path.join(dir!, 'gatrix.db') });
await migrate(handle);
const { db, dialect } = handle;

const at0 = new Date().toISOString();
const hooks: number[] = [];
/** Endpoint columns the diagnostic leaves empty. */
const unset = { previous_secret_enc: null, previous_secret_expires_at: null, description: null, disabled_reason: null, failing_since: null };
for (let i = 0; i < ENDPOINTS; i++) {
  const url = `http://127.0.0.1:${9000 + i}/hook`;
  hooks.push(await webhooksStore(db).insert({ ...unset, url, events: '["world.updated"]', secret_enc: 'unused', active: 1, headers: '{}', created_at: at0, updated_at: at0 }));
}
const ms = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU seconds of the PostgreSQL backends serving this database. */
function backendSeconds(): number {
  if (!PG_URL) return 0;
  const database = new URL(PG_URL).pathname.slice(1);
  let sum = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (!readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(` ${database} `)) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      sum += (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

const spent = { fanOut: 0, claim: 0, record: 0 };
/** The backends' CPU per step, in ms (PostgreSQL). */
const backend = { fanOut: 0, claim: 0, record: 0 };
/** Runs one step, adding this process's CPU and the backends' to its totals. */
async function step<T>(name: keyof typeof spent, run: () => Promise<T>): Promise<T> {
  const b0 = backendSeconds();
  const c0 = ms();
  const result = await run();
  spent[name] += ms() - c0;
  backend[name] += (backendSeconds() - b0) * 1000;
  return result;
}
let events = 0;
async function fanOut(deliveries: number): Promise<void> {
  const at = new Date().toISOString();
  const rows: Parameters<ReturnType<typeof webhooksStore>['insertDeliveries']>[1] = [];
  for (let e = 0; e < deliveries / ENDPOINTS; e++) {
    const id = `evt_${++events}`;
    const payload = worldUpdatedEnvelope(id, at, 1, at0);
    for (const webhook_id of hooks) {
      rows.push(pendingDelivery(webhook_id, { id, type: 'world.updated', payload, createdAt: at }, at));
    }
  }
  await inTransaction(db, (trx) => webhooksStore(trx).insertDeliveries(dialect, rows));
}

const store = deliveryStore(db, dialect);
const node = 'store-cost';
await store.beat(node, at0);
function claim(limit: number) {
  const now = new Date();
  return store.claim({ nodeId: node, at: now.toISOString(), leaseUntil: new Date(now.getTime() + 120_000).toISOString(), staleBefore: new Date(now.getTime() - 15_000).toISOString(), limit, expired: false });
}
async function record(ids: number[]): Promise<void> {
  const at = new Date().toISOString();
  await inTransaction(db, async (trx) => {
    const s = deliveryStore(trx, dialect);
    const existing = await s.existingDeliveries(ids);
    await s.insertAttempts(
      ids
        .filter((id) => existing.has(id))
        .map((id) => ({
          delivery_id: id,
          attempt: 1,
          request_headers: JSON.stringify({ 'content-type': 'application/json', 'user-agent': 'Gatrix-Webhooks/1.0', 'x-gatrix-event': 'world.updated', 'x-gatrix-delivery': String(id), 'webhook-id': 'evt', 'webhook-timestamp': '1764600000' }),
          response_status: 200,
          response_headers: JSON.stringify({ 'content-type': 'application/json', 'content-length': '2', date: new Date().toUTCString(), connection: 'keep-alive', 'keep-alive': 'timeout=60' }),
          response_body: '{}',
          duration_ms: 3,
          error: null,
          created_at: at,
        })),
    );
    await s.updateDeliveries(ids, { status: 'delivered', attempts: 1, lease_until: null, leased_by: null, last_status_code: 200, last_error: null, next_attempt_at: null, delivered_at: at, updated_at: at });
    await s.clearFailing(hooks);
  });
}

await fanOut(BACKLOG);
const wall0 = performance.now();
let done = 0;
let queued = BACKLOG;
while (done < TOTAL) {
  if (queued < BACKLOG) {
    await step('fanOut', () => fanOut(1000));
    queued += 1000;
  }
  const got = await step('claim', () => claim(64));
  await step('record', () => record(got.map((d) => d.id)));
  done += got.length;
  queued -= got.length;
}
const per = (msTotal: number) => fmt((msTotal * 1000) / done, 1);
process.stdout.write(
  `webhook-store-cost (${dialect}, ${fmt(done)} deliveries, queue ${fmt(BACKLOG)} deep, ${fmt((performance.now() - wall0) / 1000, 1)} s):\n` +
    `  this process, µs CPU per delivery: fan-out ${per(spent.fanOut)}, claim ${per(spent.claim)}, recording ${per(spent.record)}; ` +
    `total ${per(spent.fanOut + spent.claim + spent.record)}\n` +
    (PG_URL
      ? `  PostgreSQL backends, µs CPU per delivery: fan-out ${per(backend.fanOut)}, claim ${per(backend.claim)}, recording ${per(backend.record)}; ` +
        `total ${per(backend.fanOut + backend.claim + backend.record)}\n`
      : ''),
);
await handle.close();
if (dir) rmSync(dir, { recursive: true, force: true });
