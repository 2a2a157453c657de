// Connection-state recovery's buffer (src/modules/realtime/recovery-buffer.ts): bounded by packets and bytes, empty
// while no socket could resume, and a reconnection whose offset left it is not recovered (the client resyncs).
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { boundedRecoveryAdapter, type BoundedRecoveryAdapter } from '../src/modules/realtime/recovery-buffer.ts';
import { startHarness, type Harness } from './helpers.ts';
import { closed, listener, until } from './realtime-helpers.ts';

const MAX_DISCONNECTION_MS = 1500;

/** A socket that records the `n` of every `tick` it hears. */
function client(url: string) {
  const socket = connect(url, { transports: ['websocket'], reconnectionDelay: 50, reconnectionDelayMax: 100 });
  const heard: number[] = [];
  socket.on('tick', (data: { n: number }) => heard.push(data.n));
  return { socket, heard, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
}
type Client = ReturnType<typeof client>;

describe('the bounded recovery buffer, on a plain Socket.IO server', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;
  const clients: Socket[] = [];
  const buffer = () => io.of('/').adapter as unknown as BoundedRecoveryAdapter;
  const open = async () => {
    const c = client(url);
    clients.push(c.socket);
    await c.connected;
    return c;
  };
  const emit = (from: number, count: number, padding = 0) => {
    for (let n = from; n < from + count; n++) io.emit('tick', { n, padding: 'x'.repeat(padding) });
  };
  /** The transport drops (for the server a transport close: it keeps the session); the client stays away. */
  const drop = async (c: Client) => {
    c.socket.io.reconnection(false);
    const sid = c.socket.id!;
    const gone = closed(c.socket);
    c.socket.io.engine.close();
    await gone;
    await until(() => !io.of('/').sockets.has(sid), 'the server to see the drop');
  };
  const comeBack = async (c: Client) => {
    c.socket.io.reconnection(true);
    const back = new Promise<void>((r) => c.socket.once('connect', () => r()));
    c.socket.connect();
    await back;
    return c.socket.recovered;
  };

  before(async () => {
    http = createServer();
    io = new Server(http, {
      transports: ['websocket'],
      connectionStateRecovery: { maxDisconnectionDuration: MAX_DISCONNECTION_MS },
      adapter: boundedRecoveryAdapter({ maxEvents: 5, maxBytes: 4000, maxDisconnectionMs: MAX_DISCONNECTION_MS, detectionMs: 0 }),
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of clients) s.disconnect();
    await io.close();
  });

  it('keeps nothing while no socket is connected and no session may resume', () => {
    emit(0, 100);
    assert.deepEqual(buffer().stats(), { events: 0, bytes: 0, sessions: 0, outOfBuffer: 0 });
  });

  it('keeps at most maxEvents packets, and gives a socket that dropped what it missed, once, in order', async () => {
    const c = await open();
    emit(0, 8);
    assert.equal(buffer().stats().events, 5);
    await until(() => c.heard.length === 8, 'the live packets');
    await drop(c);
    assert.equal(buffer().stats().sessions, 1);
    emit(100, 3);
    assert.equal(await comeBack(c), true);
    await until(() => c.heard.length === 11, 'the missed packets');
    emit(200, 1);
    await until(() => c.heard.length === 12, 'a packet after the recovery');
    assert.deepEqual(c.heard.slice(8), [100, 101, 102, 200]);
    assert.equal(buffer().stats().sessions, 0, 'a session resumes once');
    c.socket.disconnect();
  });

  it('does not recover a socket that missed more packets than the buffer holds: it gets none of them', async () => {
    const c = await open();
    emit(0, 1);
    await until(() => c.heard.length === 1, 'a first packet');
    await drop(c);
    emit(100, 6);
    assert.equal(await comeBack(c), false);
    assert.equal(buffer().stats().outOfBuffer, 1);
    emit(200, 1);
    await until(() => c.heard.includes(200), 'a packet after the reconnection');
    assert.deepEqual(c.heard, [0, 200]);
    c.socket.disconnect();
  });

  it('bounds the buffer by bytes too', async () => {
    const c = await open();
    emit(0, 1);
    await until(() => c.heard.length === 1, 'a first packet');
    await drop(c);
    emit(100, 4, 1000); // four packets of over 1,000 bytes of JSON: more than 4,000 bytes
    assert.equal(buffer().stats().events, 3);
    assert.ok(buffer().stats().bytes <= 4000);
    assert.equal(await comeBack(c), false);
    emit(200, 1);
    await until(() => c.heard.length === 2, 'a packet after the reconnection');
    await drop(c);
    emit(300, 3, 1000); // three fit
    assert.equal(await comeBack(c), true);
    await until(() => c.heard.length === 5, 'the missed packets');
    assert.deepEqual(c.heard, [0, 200, 300, 301, 302]);
    c.socket.disconnect();
  });

  it('empties once the last session has expired with no socket connected', async () => {
    // Once the earlier sockets have left (closed, not dropped: no session), what they could have asked for is dropped.
    await until(() => buffer().stats().events === 0, 'nothing kept with nobody connected');
    const c = await open();
    emit(0, 2);
    await until(() => c.heard.length === 2, 'the packets');
    await drop(c);
    assert.equal(buffer().stats().events, 2);
    await until(() => buffer().stats().sessions === 0, 'the session to expire', MAX_DISCONNECTION_MS * 10);
    assert.deepEqual({ ...buffer().stats(), outOfBuffer: 0 }, { events: 0, bytes: 0, sessions: 0, outOfBuffer: 0 });
    assert.equal(await comeBack(c), false);
    c.socket.disconnect();
  });
});

describe('the recovery buffer in Gatrix', () => {
  let h: Harness;
  const sockets: Socket[] = [];
  before(async () => {
    h = await startHarness('sqlite', { listen: true, env: { METRICS_TOKEN: 'scrape-token-recovery-00000000' } });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await h.close();
  });
  const gauge = async (name: string) => {
    const body = (await h.call('GET', '/metrics', { token: 'scrape-token-recovery-00000000' })).body;
    const line = body.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(line, `${name} in /metrics`);
    return Number(line.split(' ')[1]);
  };
  const world = async (worldId: string) => assert.equal((await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId, name: worldId } })).statusCode, 201);

  it('keeps no event while no socket is connected, and shows what it keeps in /metrics', async () => {
    for (let i = 0; i < 3; i++) await world(`unheard-${i}`);
    await until(() => h.realtime.stats.emitted >= 3, 'the events emitted');
    assert.equal(await gauge('gatrix_socket_recovery_buffer_events'), 0);
    assert.equal(await gauge('gatrix_socket_recovery_buffer_bytes'), 0);

    const l = listener(h.baseUrl, h.adminToken);
    sockets.push(l.socket);
    await l.connected;
    await world('heard');
    await until(() => l.heard.some((e) => e.data.worldId === 'heard'), 'the event');
    assert.equal(await gauge('gatrix_socket_recovery_buffer_events'), 1);
    assert.ok((await gauge('gatrix_socket_recovery_buffer_bytes')) > 100);
    assert.equal(await gauge('gatrix_socket_recovery_sessions'), 0);
    assert.equal(await gauge('gatrix_socket_recovery_out_of_buffer_total'), 0);
  });
});

describe('GATRIX_SOCKET_RECOVERY_MAX_EVENTS=0', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness('sqlite', { listen: true, env: { GATRIX_SOCKET_RECOVERY_MAX_EVENTS: '0' } });
  });
  after(() => h.close());

  it('turns recovery off: a socket that drops comes back as a new connection', async () => {
    const l = listener(h.baseUrl, h.adminToken);
    try {
      await l.connected;
      await h.call('POST', '/api/v1/game-worlds', { token: h.adminToken, body: { worldId: 'off-1', name: 'off' } });
      await until(() => l.heard.length === 1, 'an event');
      const back = new Promise<void>((r) => l.socket.io.once('reconnect', () => r()));
      l.socket.io.engine.close();
      await back;
      assert.ok(!l.socket.recovered);
      assert.equal(h.realtime.recoveryStats().events, 0);
    } finally {
      l.socket.disconnect();
    }
  });
});
