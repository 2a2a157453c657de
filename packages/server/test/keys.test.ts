/** The key check: a node refuses keys that differ from the ones its database was set up with. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { secretBox } from '../src/core/secret-box.ts';
import { openDatabase } from '../src/db/index.ts';
import * as keyCheckMigration from '../src/db/migrations/0008_key_check.ts';
import { checkKeys } from '../src/app/keys.ts';
import { eachDatabase, failedStartLine, openTestDatabase, startServerProcess, testConfig, type TestDatabase } from './helpers.ts';

const KEY_A = Buffer.alloc(32, 0xa).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb).toString('base64');
const JWT_A = 'jwt-secret-a-0123456789-0123456789-abc';
const JWT_B = 'jwt-secret-b-0123456789-0123456789-abc';
const config = (jwt: string, key: string) => testConfig({ JWT_SECRET: jwt, GATRIX_ENCRYPTION_KEY: key });

eachDatabase('key check', (kind) => {
  let db: TestDatabase;
  before(async () => {
    db = await openTestDatabase(kind);
  });
  after(() => db.drop());
  const reset = () => db.db.deleteFrom('key_checks').execute();

  it('the first start records check values, never the keys; a different JWT_SECRET or GATRIX_ENCRYPTION_KEY is named', async () => {
    await reset();
    assert.deepEqual(await checkKeys(config(JWT_A, KEY_A), db.db, { record: true }), { ok: true, problems: [] });
    const stored = await db.db.selectFrom('key_checks').select(['name', 'check_value']).orderBy('name').execute();
    assert.deepEqual(stored.map((r) => r.name), ['encryption', 'jwt']);
    const raw = JSON.stringify(stored);
    for (const secret of [JWT_A, KEY_A, Buffer.from(KEY_A, 'base64').toString('hex')]) assert.ok(!raw.includes(secret));

    assert.deepEqual(await checkKeys(config(JWT_A, KEY_A), db.db, { record: true }), { ok: true, problems: [] });
    const wrongJwt = await checkKeys(config(JWT_B, KEY_A), db.db, { record: true });
    assert.equal(wrongJwt.ok, false);
    assert.equal(wrongJwt.problems.length, 1);
    assert.match(wrongJwt.problems[0], /^JWT_SECRET: differs from the key this database was set up with/);
    const both = await checkKeys(config(JWT_B, KEY_B), db.db);
    assert.deepEqual(both.problems.map((p) => p.split(':')[0]), ['JWT_SECRET', 'GATRIX_ENCRYPTION_KEY']);
  });

  it('two nodes starting at once with different keys on a new database: exactly one is refused', async () => {
    for (let round = 0; round < 5; round++) {
      await reset();
      const other = kind === 'postgres' ? openDatabase({ url: process.env.TEST_DATABASE_URL, pgSchema: db.schema }) : undefined;
      try {
        const results = await Promise.all([
          checkKeys(config(JWT_A, KEY_A), db.db, { record: true }),
          checkKeys(config(JWT_B, KEY_B), (other ?? db).db, { record: true }),
        ]);
        assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
      } finally {
        await other?.close();
      }
    }
  });

  it('a database holding webhook secrets from before key checks: only a key that opens one of them is recorded', async () => {
    // The state the 0008 migration meets on such a database: no key_checks table, a webhook sealed with key A.
    await db.db.schema.dropTable('key_checks').execute();
    const now = new Date().toISOString();
    await db.db
      .insertInto('webhooks')
      .values({ url: 'https://example.com/hook', events: '[]', secret_enc: secretBox(Buffer.from(KEY_A, 'base64')).seal('whsec_x'), active: 1, headers: '{}', created_at: now, updated_at: now })
      .execute();
    await keyCheckMigration.up(db.db as never);

    const wrong = await checkKeys(config(JWT_A, KEY_B), db.db, { record: true });
    assert.equal(wrong.ok, false);
    assert.match(wrong.problems[0], /^GATRIX_ENCRYPTION_KEY: opens none of the 1 newest webhook secrets/);
    const pending = await db.db.selectFrom('key_checks').select('check_value').where('name', '=', 'encryption').executeTakeFirstOrThrow();
    assert.equal(pending.check_value, null, 'a key that opens nothing is not recorded');

    assert.deepEqual(await checkKeys(config(JWT_A, KEY_A), db.db, { record: true }), { ok: true, problems: [] });
    assert.match((await checkKeys(config(JWT_A, KEY_B), db.db, { record: true })).problems[0], /^GATRIX_ENCRYPTION_KEY: differs/);
    await sql`delete from webhooks`.execute(db.db);
  });
});

describe('the gatrix process with a key that differs from its database\'s', () => {
  const children: ChildProcess[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatrix-keys-'));
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = (env: Record<string, string>) => {
    const s = startServerProcess({ GATRIX_DATA_DIR: dataDir, JWT_SECRET: JWT_A, GATRIX_ENCRYPTION_KEY: KEY_A, ...env });
    children.push(s.child);
    return s;
  };

  it('refuses to start with one line naming GATRIX_ENCRYPTION_KEY, and never shows the key', async () => {
    const first = start({});
    await first.ready;
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const wrong = start({ GATRIX_ENCRYPTION_KEY: KEY_B });
    assert.match(await failedStartLine(wrong), /^gatrix: failed to start: GATRIX_ENCRYPTION_KEY: differs from the key this database was set up with; .*docs\/operations\.md/);
    assert.doesNotMatch(wrong.output(), new RegExp(KEY_B.replace(/[+/=]/g, '\\$&')));
  });
});
