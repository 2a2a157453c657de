import { Adapter, type BroadcastOptions, type PrivateSessionId, type Room, type Session } from 'socket.io-adapter';

/** How much of the recent broadcasts one node keeps for sockets that may come back (connection-state recovery). */
export interface RecoveryLimits {
  /** Packets kept at most (GATRIX_SOCKET_RECOVERY_MAX_EVENTS). */
  maxEvents: number;
  /** Bytes of their JSON kept at most (GATRIX_SOCKET_RECOVERY_MAX_BYTES). */
  maxBytes: number;
  /** How long a disconnected session may come back. */
  maxDisconnectionMs: number;
  /** How long a dead connection can pass for a live one (ping interval + ping timeout). */
  detectionMs: number;
}

export interface RecoveryStats {
  /** Packets and bytes kept now. */
  events: number;
  bytes: number;
  /** Disconnected sessions that may still come back. */
  sessions: number;
  /** Reconnections refused because a packet after their offset was no longer kept (the client resyncs). */
  outOfBuffer: number;
}

interface Kept {
  seq: number;
  json: string;
  bytes: number;
  at: number;
  rooms: Set<Room>;
  except?: Set<Room>;
}

type Persisted = Parameters<Adapter['persistSession']>[0];

/**
 * Socket.IO's in-memory adapter with connection-state recovery, bounded. Socket.IO's own (SessionAwareAdapter)
 * keeps every broadcast packet, as objects, for the whole disconnection window whether or not any socket could ever
 * ask for it. This one gives every event packet an offset (a sequence number) as Socket.IO does, and keeps its JSON
 * only while some socket could resume and ask for it: while a socket is connected (its connection may be dead
 * without the server knowing yet, and it would then resume from before this packet) or a disconnected session may
 * still come back. It keeps at most `maxEvents` packets and `maxBytes` of JSON, and none older than a session can
 * need. `lostThrough` is the last offset not kept (dropped or never kept): a session resuming from an older offset
 * would miss something, so it is not recovered (`socket.recovered` false) and its client resyncs instead.
 *
 * A session can resume once; Gatrix emits JSON only (no binary attachments), which is what is kept.
 */
export class BoundedRecoveryAdapter extends Adapter {
  readonly #limits: RecoveryLimits;
  readonly #sessions = new Map<PrivateSessionId, { session: Persisted; disconnectedAt: number }>();
  /** Kept packets, oldest first, from `#head` on. */
  #kept: Kept[] = [];
  #head = 0;
  #bytes = 0;
  #seq = 0;
  #lostThrough = 0;
  #outOfBuffer = 0;

  constructor(nsp: unknown, limits: RecoveryLimits) {
    super(nsp);
    this.#limits = limits;
  }

  override persistSession(session: Persisted): void {
    this.#sessions.set(session.pid, { session, disconnectedAt: Date.now() });
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
    this.#trim(Date.now());
    const session = this.#sessions.get(pid)?.session;
    this.#sessions.delete(pid);
    const from = /^\d{1,15}$/.test(offset) ? Number(offset) : NaN;
    if (!session || !(from <= this.#seq)) return Promise.resolve(null as unknown as Session);
    if (from < this.#lostThrough) {
      this.#outOfBuffer++;
      return Promise.resolve(null as unknown as Session);
    }
    const missedPackets: unknown[][] = [];
    for (let i = this.#head; i < this.#kept.length; i++) {
      const p = this.#kept[i];
      if (p.seq > from && heardBy(session.rooms, p)) missedPackets.push(JSON.parse(p.json) as unknown[]);
    }
    return Promise.resolve({ ...session, missedPackets });
  }

  override broadcast(packet: { type: number; id?: number; data: unknown[] }, opts: BroadcastOptions): void {
    // Socket.IO's rule: event packets without an acknowledgement (it cannot be restored) and not volatile.
    if (packet.type === 2 && packet.id === undefined && opts.flags?.volatile === undefined) {
      // The offset goes last in the data, where the client reads the last packet it has processed.
      const seq = ++this.#seq;
      packet.data.push(String(seq));
      this.#keep(seq, packet.data, opts);
    }
    super.broadcast(packet, opts);
  }

  stats(): RecoveryStats {
    this.#trim(Date.now());
    return { events: this.#kept.length - this.#head, bytes: this.#bytes, sessions: this.#sessions.size, outOfBuffer: this.#outOfBuffer };
  }

  #keep(seq: number, data: unknown[], opts: BroadcastOptions): void {
    const now = Date.now();
    if (!this.#trim(now)) {
      this.#lostThrough = seq;
      return;
    }
    const json = JSON.stringify(data);
    const bytes = Buffer.byteLength(json);
    this.#kept.push({ seq, json, bytes, at: now, rooms: opts.rooms, except: opts.except });
    this.#bytes += bytes;
    while (this.#kept.length - this.#head > this.#limits.maxEvents || this.#bytes > this.#limits.maxBytes) this.#dropOldest();
  }

  /**
   * Drops what no session can ask for any more: everything when no socket is connected and no session may come
   * back (and says so: false), else the packets older than any session can need.
   */
  #trim(now: number): boolean {
    for (const [pid, s] of this.#sessions) {
      // In the order they disconnected: the expired ones are at the front.
      if (s.disconnectedAt + this.#limits.maxDisconnectionMs >= now) break;
      this.#sessions.delete(pid);
    }
    const anyone = this.#sessions.size > 0 || (this.nsp as { sockets: Map<string, unknown> }).sockets.size > 0;
    const oldest = now - this.#limits.maxDisconnectionMs - this.#limits.detectionMs;
    while (this.#head < this.#kept.length && (!anyone || this.#kept[this.#head].at < oldest)) this.#dropOldest();
    return anyone;
  }

  #dropOldest(): void {
    const p = this.#kept[this.#head];
    this.#kept[this.#head++] = undefined as unknown as Kept;
    this.#bytes -= p.bytes;
    this.#lostThrough = p.seq;
    if (this.#head === this.#kept.length || this.#head > 1024) {
      this.#kept = this.#kept.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Socket.IO's rule: a session hears a packet sent to one of its rooms (or to all) and to none it is excepted from. */
function heardBy(rooms: Room[], p: Kept): boolean {
  return (p.rooms.size === 0 || rooms.some((r) => p.rooms.has(r))) && !rooms.some((r) => p.except?.has(r));
}

/** The adapter class Socket.IO builds per namespace (`new Adapter(nsp)`), with these limits. */
export function boundedRecoveryAdapter(limits: RecoveryLimits) {
  return class extends BoundedRecoveryAdapter {
    constructor(nsp: unknown) {
      super(nsp, limits);
    }
  };
}
