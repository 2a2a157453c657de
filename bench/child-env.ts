/**
 * For the baseline servers and senders the benchmarks start as child processes (bare-server.ts, raw-http-server.ts,
 * bare-socket-server.ts, webhook-bare-sender.ts): a setting they cannot run without.
 */
export function requiredEnv(script: string, name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') {
    process.stderr.write(`${script}: ${name} is not set\n`);
    process.exit(2);
  }
  return v;
}
