/**
 * Migrations on PostgreSQL while other schemas of the same database come and go (other nodes' test runs, a
 * DBA's cleanup): Kysely reads every schema's catalog to find its bookkeeping tables, and a schema dropped during
 * that read must not fail our start.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { migrate, openDatabase } from '../src/db/index.ts';
import { PG_SKIP } from './helpers.ts';

const PG_URL = process.env.TEST_DATABASE_URL;

describe('migrations [postgres]', { skip: PG_SKIP }, () => {
  it('succeed while other schemas are created and dropped at the same moment', async () => {
    const tag = randomBytes(4).toString('hex');
    let stop = false;
    const churn = (async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        for (let i = 0; !stop; i++) {
          const s = `churn_${tag}_${i}`;
          await c.query(`create schema ${s}; create table ${s}.t (id serial primary key, a int, b int)`);
          await c.query(`drop schema ${s} cascade`);
        }
      } finally {
        await c.end();
      }
    })();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const failures: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const schema = `mig_${tag}_${i}`;
        await admin.query(`create schema ${schema}`);
        const h = openDatabase({ url: PG_URL, pgSchema: schema });
        try {
          await migrate(h);
        } catch (err) {
          failures.push(String(err));
        } finally {
          await h.close();
          await admin.query(`drop schema ${schema} cascade`);
        }
      }
    } finally {
      stop = true;
      await churn;
      await admin.end();
    }
    assert.deepEqual(failures, []);
  });
});

describe('migrations [sqlite]', () => {
  it('a migration numbered below one that already ran still runs once (numbers are handed out ahead)', async () => {
    const h = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrate(h);
      // A database that ran every later migration before 0011_notices existed.
      await sql`drop table notices`.execute(h.db);
      await sql`delete from kysely_migration where name = '0011_notices'`.execute(h.db);
      await migrate(h);
      await migrate(h);
      assert.equal((await sql<{ n: number }>`select count(*) as n from notices`.execute(h.db)).rows[0].n, 0);
      const names = (await sql<{ name: string }>`select name from kysely_migration`.execute(h.db)).rows.map((r) => r.name);
      assert.equal(names.filter((n) => n === '0011_notices').length, 1);
    } finally {
      await h.close();
    }
  });
});
