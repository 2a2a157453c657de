import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('config', () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), 'gatrix-cfg-'));

  it('a bad value stops start-up with an error naming the variable', () => {
    const cases: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
      [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
      [{ GATRIX_ENCRYPTION_KEY: 'abc' }, 'GATRIX_ENCRYPTION_KEY'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ TRUST_PROXY: 'not an ip' }, 'TRUST_PROXY'],
      [{ GATRIX_ADMIN_PASSWORD: 'short' }, 'GATRIX_ADMIN_PASSWORD'],
      [{ GATRIX_ADMIN_PASSWORD: '9-chars!!' }, 'GATRIX_ADMIN_PASSWORD'],
      [{ GATRIX_ADMIN_PASSWORD: 'basketball' }, 'GATRIX_ADMIN_PASSWORD'],
      [{ GATRIX_ADMIN_PASSWORD: 'root@example.com', GATRIX_ADMIN_EMAIL: 'Root@example.com' }, 'GATRIX_ADMIN_PASSWORD'],
      [{ GATRIX_ADMIN_EMAIL: 'nope' }, 'GATRIX_ADMIN_EMAIL'],
      [{ GATRIX_LOG_PRETTY: 'maybe' }, 'GATRIX_LOG_PRETTY'],
      [{ GATRIX_REDIS_PREFIX: 'has space' }, 'GATRIX_REDIS_PREFIX'],
      [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
      [{ SENTRY_DSN: 'https://sentry.example.com/' }, 'SENTRY_DSN'],
      [{ GATRIX_REQUEST_METRICS: 'sometimes' }, 'GATRIX_REQUEST_METRICS'],
      [{ GATRIX_REQUEST_TIMEOUT_MS: '10' }, 'GATRIX_REQUEST_TIMEOUT_MS'],
      [{ GATRIX_REQUEST_TIMEOUT_MS: '5000', GATRIX_HEADERS_TIMEOUT_MS: '9000' }, 'GATRIX_HEADERS_TIMEOUT_MS'],
      [{ GATRIX_MAX_CONNECTIONS: '0' }, 'GATRIX_MAX_CONNECTIONS'],
      [{ GATRIX_STARTUP_WAIT_SECONDS: 'soon' }, 'GATRIX_STARTUP_WAIT_SECONDS'],
      [{ GATRIX_INSTANCE_TTL: '0' }, 'GATRIX_INSTANCE_TTL'],
      [{ GATRIX_INSTANCE_TTL: '30s' }, 'GATRIX_INSTANCE_TTL'],
      [{ GATRIX_EVENT_RETENTION: '7' }, 'GATRIX_EVENT_RETENTION'],
      [{ GATRIX_EVENT_RETENTION: '7 days' }, 'GATRIX_EVENT_RETENTION'],
      [{ GATRIX_EVENT_RETENTION: '30s' }, 'GATRIX_EVENT_RETENTION'],
      [{ GATRIX_EVENT_FEED_MAX_WAITERS: '0' }, 'GATRIX_EVENT_FEED_MAX_WAITERS'],
      [{ GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '500' }, 'GATRIX_SOCKET_RECOVERY_MAX_EVENTS'],
      [{ GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '-1' }, 'GATRIX_SOCKET_RECOVERY_MAX_EVENTS'],
      [{ GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '10k' }, 'GATRIX_SOCKET_RECOVERY_MAX_EVENTS'],
      [{ GATRIX_SOCKET_RECOVERY_MAX_BYTES: '1000' }, 'GATRIX_SOCKET_RECOVERY_MAX_BYTES'],
      [{ GATRIX_SOCKET_RECOVERY_MAX_BYTES: '8MiB' }, 'GATRIX_SOCKET_RECOVERY_MAX_BYTES'],
    ];
    for (const [env, variable] of cases) {
      const d = dir();
      assert.throws(
        () => loadConfig({ GATRIX_DATA_DIR: d, ...env }),
        (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(`${variable}:`),
        JSON.stringify(env),
      );
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('generates missing secrets once, keeps them in the data dir with mode 0600, and reuses them', () => {
    const d = dir();
    const a = loadConfig({ GATRIX_DATA_DIR: d });
    const file = path.join(d, 'secrets.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(a.jwtSecret.length >= 32);
    assert.equal(a.encryptionKey.length, 32);
    const b = loadConfig({ GATRIX_DATA_DIR: d });
    assert.equal(b.jwtSecret, a.jwtSecret);
    assert.deepEqual(b.encryptionKey, a.encryptionKey);
    assert.ok(readFileSync(file, 'utf8').includes(a.jwtSecret));
    rmSync(d, { recursive: true, force: true });
  });

  it('environment secrets win and nothing is written', () => {
    const d = path.join(dir(), 'sub');
    const c = loadConfig({ GATRIX_DATA_DIR: d, JWT_SECRET: 'x'.repeat(40), GATRIX_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') });
    assert.equal(c.jwtSecret, 'x'.repeat(40));
    assert.throws(() => statSync(path.join(d, 'secrets.json')));
  });

  it('parses TRUST_PROXY forms and defaults', () => {
    const d = dir();
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d }).trustProxy, false);
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d, TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d, TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ GATRIX_DATA_DIR: d, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    const c = loadConfig({ GATRIX_DATA_DIR: d });
    assert.equal(c.port, 3000);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.databaseUrl, undefined);
    rmSync(d, { recursive: true, force: true });
  });

  it('bounds the socket recovery buffer by 10,000 packets and 8 MiB by default; 0 packets turns recovery off', () => {
    const d = dir();
    assert.deepEqual(loadConfig({ GATRIX_DATA_DIR: d }).sockets.recovery, { maxEvents: 10_000, maxBytes: 8 * 1_048_576 });
    assert.deepEqual(loadConfig({ GATRIX_DATA_DIR: d, GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '0', GATRIX_SOCKET_RECOVERY_MAX_BYTES: '65536' }).sockets.recovery, {
      maxEvents: 0,
      maxBytes: 65_536,
    });
    rmSync(d, { recursive: true, force: true });
  });

  it('reads GATRIX_EVENT_RETENTION as a duration, 7 days by default', () => {
    const d = dir();
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d }).eventFeed.retentionMs, 7 * 86_400_000);
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d, GATRIX_EVENT_RETENTION: '36h' }).eventFeed.retentionMs, 36 * 3_600_000);
    assert.equal(loadConfig({ GATRIX_DATA_DIR: d, GATRIX_EVENT_RETENTION: '90m' }).eventFeed.retentionMs, 90 * 60_000);
    rmSync(d, { recursive: true, force: true });
  });
});
