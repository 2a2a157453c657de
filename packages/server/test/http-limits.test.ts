/** Slow or too many connections: a real listening server, raw TCP clients. */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startHarness, until, WAIT_MS, type Harness } from './helpers.ts';

/** Connects to the harness and collects what the server answers until it closes the connection. */
function rawClient(h: Harness): { socket: Socket; received: () => string; closed: Promise<void> } {
  const { port } = new URL(h.baseUrl);
  const socket = connect(Number(port), '127.0.0.1');
  let data = '';
  socket.on('data', (b) => (data += b.toString()));
  socket.on('error', () => undefined); // a reset counts as closed
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => data, closed };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref())]);

describe('HTTP connection limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('sqlite', {
      listen: true,
      env: { GATRIX_REQUEST_TIMEOUT_MS: '2000', GATRIX_HEADERS_TIMEOUT_MS: '1000', GATRIX_MAX_CONNECTIONS: '3' },
    });
  });
  after(() => h.close());

  it('a body that trickles in is cut off with 408 after GATRIX_REQUEST_TIMEOUT_MS, not held for 300 s', async () => {
    const c = rawClient(h);
    c.socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => c.socket.write(' '), 200);
    const started = Date.now();
    try {
      await within(c.closed, WAIT_MS, 'closing the slow request');
    } finally {
      clearInterval(drip);
    }
    assert.match(c.received(), /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started >= 1500, 'not before the request timeout');
  });

  it('headers that never end are cut off with 408 after GATRIX_HEADERS_TIMEOUT_MS', async () => {
    const c = rawClient(h);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await within(c.closed, WAIT_MS, 'closing the unfinished headers');
    assert.match(c.received(), /^HTTP\/1\.1 408 /);
  });

  it('past GATRIX_MAX_CONNECTIONS a new connection is closed at once; the open ones keep working', async () => {
    const open = [rawClient(h), rawClient(h), rawClient(h)];
    await until(
      () => new Promise<boolean>((resolve) => h.app.server.getConnections((_, n) => resolve(n >= 3))),
      'the server holding three connections',
    );
    const extra = rawClient(h);
    await within(extra.closed, WAIT_MS, 'closing the connection over the cap');
    assert.equal(extra.received(), '');
    open[0].socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => open[0].received().includes('"status":"ok"'), 'an open connection answering');
    for (const c of open) c.socket.destroy();
  });
});
