/**
 * Diagnostic, not a benchmark: how often a Gatrix node on PostgreSQL reads its client API key from the database
 * during a launch storm. The node keeps a key in memory for 5 s; each time that runs out, the requests that arrive
 * while it is read again should share one read (core/lookup-cache.ts), not each send their own.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node --import tsx bench/client-key-reads.ts
 *
 * Starts Gatrix on a fresh database there (default configuration), sets up the storm of bench/client-version.ts
 * (3,000 requests, one client key, 100 connections) and runs it three times for 20 s, printing per run the answers,
 * req/s, p99 and the scans of the `api_keys` table that PostgreSQL counted (`pg_stat_user_tables`; its statistics
 * reach the view within a second, so each count waits 1.5 s). BENCH_SERVER_ENTRY points it at another tree.
 */
import autocannon from 'autocannon';
import pg from 'pg';
import { fmt, runBenchmark, sleep } from './lib.ts';
import { freshDatabase, ROUTE, startClientGatrix, stormRequests, STORM_ENV } from './client-setup.ts';

runBenchmark('client-key-reads', async (bench) => {
  if (!process.env.BENCH_DATABASE_URL) throw new Error('BENCH_DATABASE_URL: a PostgreSQL server is needed, e.g. postgres://postgres@127.0.0.1:5432/test');
  const db = await freshDatabase(bench, 'keyreads');
  const g = await startClientGatrix(bench, 'gatrix', { ...STORM_ENV, LOG_LEVEL: 'info', ...db }, { discardStdout: true, readyTimeoutMs: 300_000 });
  const requests = await stormRequests(g);
  const client = new pg.Client({ connectionString: db.DATABASE_URL });
  await client.connect();
  const scans = async () => {
    await sleep(1500);
    const r = await client.query("select coalesce(idx_scan,0)::int + coalesce(seq_scan,0)::int as n from pg_stat_user_tables where relname = 'api_keys'");
    return r.rows[0].n as number;
  };
  process.stdout.write(`client-key-reads: ${ROUTE} storm on PostgreSQL, 3 runs of 20 s\n`);
  for (let round = 0; round < 3; round++) {
    const before = await scans();
    const r = await autocannon({ url: `${g.base}${ROUTE}`, connections: 100, duration: 20, headers: g.headers, requests: requests.map(({ path, headers }) => ({ path, headers })) });
    const after = await scans();
    process.stdout.write(`  run ${round + 1}: ${fmt(r.requests.total)} answers, ${fmt(r.requests.average)} req/s, p99 ${r.latency.p99} ms; api_keys read ${fmt(after - before)} times\n`);
  }
  await client.end();
  return 0;
});
