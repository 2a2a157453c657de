/**
 * Migrations on PostgreSQL while other schemas of the same database come and go (other nodes' test runs, a
 * DBA's cleanup): Kysely reads every schema's catalog to find its bookkeeping tables, and a schema dropped during
 * that read must not fail our start.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
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
