import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '../../core/secret-box.ts';
import type { Dialect } from '../dialect.ts';

/** The columns this migration rewrites, as they were when it was written. */
interface Tables {
  idempotency_keys: { key: string };
  webhooks: { id: number; headers: string };
  audit_logs: { id: number; target_type: string; before: string | null; after: string | null };
  webhook_attempts: { id: number; request_headers: string };
}

type Headers = Record<string, string>;
const MASK = '[REDACTED]';
/** Headers Gatrix sends with every attempt; the others in an attempt log are the endpoint's own. */
const GATRIX_HEADER = /^(x-gatrix-.*|webhook-.*|content-type|user-agent)$/i;

const mapValues = (h: Headers, f: (name: string, value: string) => string): Headers =>
  Object.fromEntries(Object.entries(h).map(([name, v]) => [name, f(name, v)]));

/**
 * Webhook header values were stored in clear (on the endpoint, in its attempt log and its audit snapshots), and
 * idempotency answers too. Header values are sealed with the encryption key and masked where they are shown.
 */
export async function up(unknownDb: Kysely<unknown>, dialect: Dialect, secrets: { box?: SecretBox } = {}): Promise<void> {
  const db = unknownDb as Kysely<Tables>;
  // Freed space is zeroed, so the values replaced here do not stay behind in the file's free pages.
  if (dialect === 'sqlite') await sql`pragma secure_delete = on`.execute(db);

  // Stored answers are sealed from now on; one stored before (a new API key or webhook secret among them) could not
  // be opened. A retry of one of them runs again instead of replaying.
  await db.deleteFrom('idempotency_keys').execute();

  const hooks = await db.selectFrom('webhooks').select(['id', 'headers']).where('headers', '<>', '{}').execute();
  const { box } = secrets;
  if (hooks.length > 0 && !box) throw new Error('sealing the webhook header values needs the encryption key');
  for (const w of hooks) {
    const headers = mapValues(JSON.parse(w.headers) as Headers, (_name, v) => box!.seal(v));
    await db.updateTable('webhooks').set({ headers: JSON.stringify(headers) }).where('id', '=', w.id).execute();
  }

  const snapshots = await db.selectFrom('audit_logs').select(['id', 'before', 'after']).where('target_type', '=', 'webhook').execute();
  const maskSnapshot = (text: string | null) => {
    if (text === null) return null;
    const s = JSON.parse(text) as { headers?: Headers };
    return JSON.stringify(s.headers ? { ...s, headers: mapValues(s.headers, () => MASK) } : s);
  };
  for (const e of snapshots) {
    await db.updateTable('audit_logs').set({ before: maskSnapshot(e.before), after: maskSnapshot(e.after) }).where('id', '=', e.id).execute();
  }

  for (let last = 0; ; ) {
    const attempts = await db.selectFrom('webhook_attempts').select(['id', 'request_headers']).where('id', '>', last).orderBy('id').limit(1000).execute();
    if (attempts.length === 0) break;
    for (const a of attempts) {
      const headers = JSON.parse(a.request_headers) as Headers;
      if (Object.keys(headers).every((name) => GATRIX_HEADER.test(name))) continue;
      const masked = mapValues(headers, (name, v) => (GATRIX_HEADER.test(name) ? v : MASK));
      await db.updateTable('webhook_attempts').set({ request_headers: JSON.stringify(masked) }).where('id', '=', a.id).execute();
    }
    last = Number(attempts.at(-1)!.id);
  }
  if (dialect === 'sqlite') await sql`pragma secure_delete = off`.execute(db);
}
