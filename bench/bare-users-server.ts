/**
 * The baseline of bench/users-storm.ts: a bare Fastify route running the user list's own page query (the server's
 * usersStore(db).list, through the same Kysely and driver) on the same database, and answering its rows as JSON.
 * No auth, no validation, no cache, no count, no logging: what Gatrix adds on top of the query is what it measures.
 *
 *   BARE_DATABASE=<SQLite file | postgres://…> PORT=<port> HOST=127.0.0.1 node --import tsx bench/bare-users-server.ts
 *
 * `cursor` is the base64url JSON `[sortValue, id]` of the row to continue after (the benchmark hands each server
 * its own form of the same position).
 */
// First, as main.ts: Gatrix's V8 settings, without which a baseline runs slower (bench/README.md, "Reading the figures").
import '../packages/server/src/v8-tuning.ts';
import Fastify from 'fastify';
import { openDatabase } from '../packages/server/src/db/index.ts';
import type { UserFilter } from '../packages/server/src/modules/users/schemas.ts';
import { usersStore, type Position } from '../packages/server/src/modules/users/store.ts';

const target = process.env.BARE_DATABASE;
if (!target) {
  process.stderr.write('bare-users-server: BARE_DATABASE is not set\n');
  process.exit(2);
}
const handle = openDatabase(target.startsWith('postgres') ? { url: target } : { sqliteFile: target });
const store = usersStore(handle.db);
const app = Fastify({ logger: false });

app.get('/api/v1/users', async (request) => {
  const { page = '1', limit = '50', sort = 'id', cursor, ...filter } = request.query as Record<string, string | undefined>;
  const n = Number(limit);
  const from = cursor === undefined ? undefined : (JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [Position['value'], number]);
  const rows = await store.list({ ...(filter as UserFilter), sort }, { limit: n + 1, offset: (Number(page) - 1) * n, cursor: from && { value: from[0], id: from[1] } });
  return { data: rows.slice(0, n), more: rows.length > n };
});

const shutdown = () => {
  app.close().then(
    () => handle.close().then(() => process.exit(0)),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' }).then(
  (address) => process.stdout.write(`bare-users-server listening on ${address}\n`),
  (err: unknown) => {
    process.stderr.write(`bare-users-server: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
