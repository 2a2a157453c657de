/**
 * Diagnostic, not a benchmark: what one user write costs a node — `POST /api/v1/users` (no password), each its own
 * transaction with its audit entry and outbox event, then the dispatcher's claim of that event — as the node's CPU
 * per registration, one client at a time and eight at once, at the default configuration.
 *
 *   node --import tsx bench/user-writes.ts                        (SQLite, a fresh data dir)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh database> node --import tsx bench/user-writes.ts
 *
 * USER_WRITES (3000) registrations per part, after 500 to warm up. On PostgreSQL the database's own CPU is not
 * counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_ADMIN, call, envInt, fmt, processCpuSeconds, startGatrix, stopChild } from './lib.ts';

const N = envInt('USER_WRITES', 3000, 100);
const dir = mkdtempSync(path.join(tmpdir(), 'gatrix-user-writes-'));
const env: Record<string, string> = process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {};
const { child, base } = await startGatrix('gatrix', dir, env, { echo: false, discardStdout: true });
try {
  const { accessToken } = (await call(base, 'POST', '/api/v1/auth/login', {}, { username: BENCH_ADMIN.username, password: BENCH_ADMIN.password })) as { accessToken: string };
  let next = 0;
  const register = async () => {
    const i = next++;
    const r = await fetch(`${base}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ username: `writer_${i}`, email: `writer.${i}@example.com`, displayName: i % 3 ? `Writer ${i}` : undefined }),
    });
    if (r.status !== 201) throw new Error(`POST /api/v1/users answered ${r.status}: ${await r.text()}`);
  };
  const part = async (label: string, n: number, clients: number) => {
    const cpu = processCpuSeconds(child.proc.pid!)!;
    const started = performance.now();
    let left = n;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (left-- > 0) await register();
    }));
    const seconds = (performance.now() - started) / 1000;
    const used = processCpuSeconds(child.proc.pid!)! - cpu;
    if (label) process.stdout.write(`  ${label.padEnd(22)} ${fmt(n / seconds).padStart(6)} registrations/s   node CPU ${fmt((used * 1e6) / n).padStart(6)} µs per registration\n`);
  };
  process.stdout.write(`user-writes: POST /api/v1/users on ${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, ${fmt(N)} per part\n`);
  await part('', 500, 4);
  await part('one client at a time', N, 1);
  await part('eight clients at once', N, 8);
} finally {
  await stopChild(child);
  rmSync(dir, { recursive: true, force: true });
}
