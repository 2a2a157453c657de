/** Socket.IO test helpers shared by the one-node and two-node live-event suites. */
import assert from 'node:assert/strict';
import { io as connect, type Socket } from 'socket.io-client';
import { WAIT_MS, type Harness } from './helpers.ts';

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The reason `s` disconnects for; fails when it is still connected after `ms`. */
export function closed(s: Socket, ms = WAIT_MS): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    s.once('disconnect', (reason) => (clearTimeout(timer), resolve(reason)));
  });
}

/** A client that records every event it hears; `auth.token` is read on every (re)connection. */
export function listener(url: string, token: string, transports: ('websocket' | 'polling')[] = ['websocket']) {
  const auth = { token };
  const socket = connect(url, { auth: (cb) => cb(auth), transports, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  const heard: { event: string; data: Record<string, unknown> }[] = [];
  socket.onAny((event: string, data: Record<string, unknown>) => heard.push({ event, data }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, heard, connected, auth };
}

type Listener = ReturnType<typeof listener>;

/**
 * Drops `l`'s transport (the server keeps its session for recovery) and, while it is away, runs `change` (which
 * demotes its user and returns the token it comes back with) and makes changes only staff may see and one a
 * player may see, waiting until `watcher`, an admin socket, heard them, so they are in the session's backlog.
 * Then `l` reconnects, to `reconnectUrl` when given (another node), and must be recovered, with the missed
 * packets a player may hear and nothing else, and from then on hear only what a player hears.
 */
export async function recoverAfter(
  h: Pick<Harness, 'call' | 'realtime'>,
  l: Listener,
  watcher: Listener,
  change: () => Promise<string>,
  reconnectUrl?: string,
): Promise<void> {
  const admin = { headers: { authorization: `Bearer ${watcher.auth.token}` } };
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const world = async (id: string) => h.call('POST', '/api/v1/game-worlds', { ...admin, body: { worldId: `${tag}-${id}`, name: id } });
  await world('before');
  await until(() => l.heard.some((e) => e.data.worldId === `${tag}-before`), 'an event before the drop');
  const from = l.heard.length;

  l.socket.io.reconnection(false);
  const sid = l.socket.id!;
  const dropped = closed(l.socket);
  l.socket.io.engine.close(); // for the server, a transport close: it keeps the session
  await dropped;
  await until(() => !h.realtime.io.of('/').sockets.has(sid), 'the server to see the drop');
  l.auth.token = await change();
  await h.call('POST', '/api/v1/users', { ...admin, body: { username: `${tag}_staff`, email: `${tag}_staff@example.com` } });
  await h.call('POST', '/api/v1/whitelist', { ...admin, body: { type: 'account', value: `${tag}-qa` } });
  await world('missed');
  await until(() => watcher.heard.some((e) => e.data.worldId === `${tag}-missed`), 'the missed events to be emitted');

  if (reconnectUrl) (l.socket.io as unknown as { uri: string }).uri = reconnectUrl; // as a load balancer would send it elsewhere
  l.socket.io.reconnection(true);
  const back = new Promise<void>((r) => l.socket.once('connect', () => r()));
  l.socket.connect();
  await back;
  assert.equal(l.socket.recovered, true, 'the connection state was recovered');
  await h.call('POST', '/api/v1/users', { ...admin, body: { username: `${tag}_staff2`, email: `${tag}_staff2@example.com` } });
  await world('after');
  await until(() => l.heard.some((e) => e.data.worldId === `${tag}-after`), 'an event after the reconnection');
  await new Promise((r) => setTimeout(r, 200));
  const got = l.heard.slice(from).map((e) => (e.event === 'world_created' ? `${e.event} ${String(e.data.worldId).slice(tag.length + 1)}` : e.event));
  // Its own user_updated (the demotion) and user_login (the new sign-in) are its to hear.
  assert.deepEqual(got, ['user_updated', 'user_login', 'world_created missed', 'world_created after']);
}
