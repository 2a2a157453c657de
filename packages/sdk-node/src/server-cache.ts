import { EventEmitter } from 'node:events';
import { GatrixClient } from './client.js';
import type { GatrixClientOptions } from './core.js';
import { GatrixError } from './errors.js';
import type { GatrixSocket, SocketEventName } from './realtime.js';
import {
  anyEntryMatches,
  clientStatus,
  clientWorld,
  createWhitelistMatcher,
  globalMaintenanceAt,
  indexVersions,
  localizeNotice,
  matchNotices,
  resolveClientVersion,
  worldMaintenanceAt,
  type ClientGameWorld,
  type ClientNotice,
  type ClientStatus,
  type ClientVersionAnswer,
  type NoticeQuery,
  type WhitelistMatcher,
} from './rules/index.js';
import type { ClientVersion, GameWorld, GlobalMaintenance, ServerSnapshot, WhitelistEntry } from './types.js';

type Notice = ServerSnapshot['notices'][number];

/** The parts of the snapshot a game server uses: the cache listens only to their events, and answers only about them. */
export interface ServerCacheUses {
  worlds?: boolean;
  maintenance?: boolean;
  whitelist?: boolean;
  versions?: boolean;
  notices?: boolean;
}

export interface GatrixServerCacheOptions extends GatrixClientOptions {
  /** Default: every part. */
  uses?: ServerCacheUses;
  /** Revalidate the snapshot (If-None-Match, a 304 while unchanged) this often while the live stream is up, ms. Default 30000. */
  revalidateMs?: number;
  /** Poll this often while the live stream is down, ms; doubled after each failure up to `maxPollMs`. Default 1000. */
  pollMs?: number;
  /** The longest wait between polls after failures, ms. Default 30000. */
  maxPollMs?: number;
  /** Listen to the live event stream (default true); false: only polling. */
  realtime?: boolean;
  /** The clock windows are evaluated against (ms since epoch). Default Date.now. */
  now?: () => number;
}

export interface CallerParams {
  accountId?: string;
  ip?: string;
  lang?: string;
}

export interface MaintenanceAnswer {
  /** Maintenance applies to this caller now (false for a whitelisted caller). */
  active: boolean;
  /** Maintenance is in effect, and this caller passes through it (whitelisted). */
  bypass: boolean;
  /** Which maintenance: global first, else the world's; null when none is in effect. */
  scope: 'global' | 'world' | null;
  /** The message in the caller's language, when maintenance applies to it. */
  message: string | null;
  startsAt: string | null;
  endsAt: string | null;
}

export interface ResolveParams extends CallerParams {
  channel: string;
  subChannel: string;
  version: string;
  patchVersion?: string;
}

interface CacheEvents {
  /** The cache changed (a snapshot or an event applied). */
  updated: [];
  /** Gatrix could not be reached: answers come from the last good snapshot. */
  stale: [error: unknown];
  /** Gatrix answers again. */
  fresh: [];
}

const WORLD_EVENTS: SocketEventName[] = ['world_created', 'world_updated', 'world_deleted', 'world_maintenance_started', 'world_maintenance_ended'];
const MAINTENANCE_EVENTS: SocketEventName[] = ['maintenance_started', 'maintenance_ended', 'maintenance_updated'];
const VERSION_EVENTS: SocketEventName[] = ['client_version_created', 'client_version_updated', 'client_version_deleted'];
const WHITELIST_EVENTS: SocketEventName[] = ['whitelist_updated'];
/** Whitelist changes layered over a built matcher before it is rebuilt. */
const MAX_MATCHER_LAYERS = 32;
/** Callers checked entry by entry (they matched a removed entry) before the matcher is rebuilt. */
const MAX_MATCHER_SCANS = 64;
const NOTICE_EVENTS: SocketEventName[] = ['notice_created', 'notice_updated', 'notice_deleted'];

/**
 * The whitelist matcher a cache answers from: one built over every entry, with the changes since layered over it,
 * so applying an event costs nothing however long the whitelist (rebuilding 10,000 entries takes milliseconds, and a
 * game server may hold many caches). `added`: entries enabled or changed since; `removed`: the former versions of
 * entries disabled, deleted or changed since. A caller the built matcher lets in only through a removed entry is
 * checked against the entries one by one.
 */
interface LayeredMatcher {
  built: WhitelistMatcher;
  builtAt: number;
  added: WhitelistEntry[];
  addedMatcher?: WhitelistMatcher;
  removed: WhitelistEntry[];
  removedMatcher?: WhitelistMatcher;
  validUntil: number;
  scans: number;
}

interface State {
  worlds: Map<number, GameWorld>;
  maintenance: GlobalMaintenance;
  whitelist: Map<number, WhitelistEntry>;
  versions: Map<number, ClientVersion>;
  notices: Map<number, Notice>;
  /** Derived lazily, dropped when what they derive from changes. */
  worldList?: GameWorld[];
  byWorldId?: Map<string, GameWorld>;
  matcher?: LayeredMatcher;
  /** Global maintenance as it stands, from `from` until `until` (ms since epoch). */
  global?: { value: GlobalMaintenance & { upcoming: boolean }; from: number; until: number };
  index?: ReturnType<typeof indexVersions<ClientVersion>>;
}

/**
 * The game server's local copy of Gatrix: one snapshot (GET /server/snapshot) kept fresh by the live event
 * stream, answering maintenance, whitelist and client-version questions from memory with exactly the server's
 * rules (src/rules, shared with the server). See docs/server-cache.md.
 *
 * ```js
 * const cache = new GatrixServerCache({ apiKey: process.env.GATRIX_SERVER_KEY, baseURL: 'https://gatrix.example.com' });
 * await cache.ready();
 * if (cache.maintenanceFor({ worldId: 'asia-1', accountId, ip }).active) refuse();
 * ```
 */
export class GatrixServerCache extends EventEmitter<CacheEvents> {
  readonly client: GatrixClient;
  /** True while Gatrix cannot be reached: answers come from the last good snapshot. */
  stale = false;
  /** The version of the last snapshot loaded (its ETag without quotes). */
  version: string | undefined;

  readonly #uses: Required<ServerCacheUses>;
  readonly #now: () => number;
  readonly #revalidateMs: number;
  readonly #pollMs: number;
  readonly #maxPollMs: number;
  #state: State | undefined;
  #socket: GatrixSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #fetching: Promise<void> | undefined;
  #again = false;
  #closed = false;
  readonly #abort = new AbortController();
  #ready: Promise<void>;
  #settleReady!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(options: GatrixServerCacheOptions = {}) {
    super();
    const { uses, revalidateMs = 30_000, pollMs = 1_000, maxPollMs = 30_000, realtime = true, now = Date.now, ...clientOptions } = options;
    this.client = new GatrixClient({ maxRetries: 0, timeout: 10_000, ...clientOptions });
    this.#uses = { worlds: true, maintenance: true, whitelist: true, versions: true, notices: true, ...uses };
    this.#now = now;
    this.#revalidateMs = revalidateMs;
    this.#pollMs = pollMs;
    this.#maxPollMs = maxPollMs;
    this.#ready = new Promise((resolve, reject) => (this.#settleReady = { resolve, reject }));
    this.#ready.catch(() => undefined);
    if (realtime) this.#listen();
    this.#refresh();
  }

  /** The live event stream is connected. */
  get connected(): boolean {
    return this.#socket?.connected ?? false;
  }

  /** Resolves once the first snapshot is loaded; rejects when the credential is refused (401/403) or on close(). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Closes the socket, stops the timers and any request in flight. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#socket?.close();
    this.#settleReady.reject(new Error('GatrixServerCache closed'));
    await this.#fetching?.catch(() => undefined);
  }

  /** Global maintenance, or (with `worldId`) global or that world's maintenance, is in effect now. */
  isMaintenanceActive(worldId?: string): boolean {
    return this.maintenanceFor({ worldId }).scope !== null;
  }

  /** Maintenance as this player sees it: in effect or not, whether it bypasses it, the message in its language, the window. */
  maintenanceFor(params: CallerParams & { worldId?: string } = {}): MaintenanceAnswer {
    const s = this.#current('maintenance');
    const now = this.#now();
    const global = this.#global(s, now);
    const whitelisted = this.#uses.whitelist && this.#whitelisted(s, params, now);
    if (global.active) {
      const status = clientStatus(global, false, whitelisted, params.lang);
      return { active: status.maintenance, bypass: whitelisted, scope: 'global', message: status.message, startsAt: global.startsAt, endsAt: global.endsAt };
    }
    const world = params.worldId === undefined || !this.#uses.worlds ? undefined : this.#byWorldId(s).get(params.worldId);
    if (world && worldMaintenanceAt(world, now).active) {
      const seen = clientWorld({ ...world, maintenance: true }, false, whitelisted, params.lang);
      return { active: seen.maintenance, bypass: whitelisted, scope: 'world', message: seen.maintenanceMessage, startsAt: world.maintenanceStartsAt, endsAt: world.maintenanceEndsAt };
    }
    return { active: false, bypass: false, scope: null, message: null, startsAt: null, endsAt: null };
  }

  /** This account id or IP (IPv4, IPv6, either in a CIDR) is whitelisted by an entry in effect now. */
  isWhitelisted(params: { accountId?: string; ip?: string }): boolean {
    const s = this.#current('whitelist');
    return this.#whitelisted(s, params, this.#now());
  }

  /** What GET /client/client-version answers this caller; null for an unknown version (the server's 404). */
  resolveClientVersion(params: ResolveParams): ClientVersionAnswer | null {
    const s = this.#current('versions');
    const now = this.#now();
    s.index ??= indexVersions([...s.versions.values()], (v) => v);
    const v = s.index.find(params.channel, params.subChannel, params.version);
    if (!v) return null;
    const global = this.#uses.maintenance ? this.#global(s, now) : { ...s.maintenance, active: false, upcoming: false };
    const whitelisted = this.#uses.whitelist && this.#whitelisted(s, params, now);
    return resolveClientVersion(v, global, { patchVersion: params.patchVersion, lang: params.lang, whitelisted });
  }

  /** What GET /client/status answers this caller: global maintenance as it sees it. */
  status(params: CallerParams = {}): ClientStatus {
    const s = this.#current('maintenance');
    const now = this.#now();
    const global = this.#global(s, now);
    return clientStatus(global, global.upcoming, this.#uses.whitelist && this.#whitelisted(s, params, now), params.lang);
  }

  /** What GET /client/game-worlds answers this caller: the visible worlds in display order, with maintenance as it sees it. */
  worlds(params: CallerParams = {}): ClientGameWorld[] {
    const s = this.#current('worlds');
    const now = this.#now();
    const whitelisted = this.#uses.whitelist && this.#whitelisted(s, params, now);
    return this.#worldList(s)
      .filter((w) => w.visible)
      .map((w) => {
        const m = worldMaintenanceAt(w, now);
        return clientWorld({ ...w, maintenance: m.active }, m.upcoming, whitelisted, params.lang);
      });
  }

  /** What GET /client/notices answers: the notices this client gets now, in display order, in `lang`. */
  notices(params: NoticeQuery & { lang?: string } = {}): ClientNotice[] {
    const s = this.#current('notices');
    return matchNotices([...s.notices.values()], params, this.#now()).map((n) => localizeNotice(n, params.lang));
  }

  /** Every world as the snapshot holds it (hidden ones too), in display order. */
  worldRecords(): GameWorld[] {
    return [...this.#worldList(this.#current('worlds'))];
  }

  #current(part: keyof ServerCacheUses): State {
    if (!this.#uses[part]) throw new TypeError(`This cache does not use ${part} (see the uses option)`);
    if (!this.#state) throw new Error('GatrixServerCache is not ready: await cache.ready() first');
    return this.#state;
  }

  #global(s: State, now: number): GlobalMaintenance & { upcoming: boolean } {
    let g = s.global;
    if (!g || now >= g.until || now < g.from) {
      const m = globalMaintenanceAt(s.maintenance, now);
      g = s.global = { value: { ...s.maintenance, active: m.active, upcoming: m.upcoming }, from: now, until: m.changesAt };
    }
    return g.value;
  }

  #whitelisted(s: State, { accountId, ip }: { accountId?: string; ip?: string }, now: number): boolean {
    let m = s.matcher;
    if (!m || now >= m.validUntil || now < m.builtAt || m.scans >= MAX_MATCHER_SCANS || m.added.length + m.removed.length > MAX_MATCHER_LAYERS) {
      const built = createWhitelistMatcher([...s.whitelist.values()], new Date(now));
      m = s.matcher = { built, builtAt: now, added: [], removed: [], validUntil: built.validUntil, scans: 0 };
    }
    if (m.added.length > 0 && (m.addedMatcher ??= createWhitelistMatcher(m.added, new Date(m.builtAt))).matches(accountId, ip)) return true;
    if (!m.built.matches(accountId, ip)) return false;
    if (m.removed.length === 0 || !(m.removedMatcher ??= createWhitelistMatcher(m.removed, new Date(m.builtAt))).matches(accountId, ip)) return true;
    m.scans++;
    return anyEntryMatches(s.whitelist.values(), accountId, ip, now);
  }

  #worldList(s: State): GameWorld[] {
    s.worldList ??= [...s.worlds.values()].sort((a, b) => a.displayOrder - b.displayOrder || a.id - b.id);
    return s.worldList;
  }

  #byWorldId(s: State): Map<string, GameWorld> {
    s.byWorldId ??= new Map(this.#worldList(s).map((w) => [w.worldId, w]));
    return s.byWorldId;
  }

  #load(snapshot: ServerSnapshot): void {
    this.version = snapshot.version;
    this.#state = {
      worlds: new Map(snapshot.worlds.map((w) => [w.id, w])),
      maintenance: snapshot.maintenance,
      whitelist: new Map(snapshot.whitelist.map((e) => [e.id, e])),
      versions: new Map(snapshot.clientVersions.map((v) => [v.id, v])),
      notices: new Map(snapshot.notices.map((n) => [n.id, n])),
    };
  }

  /** Fetches the snapshot (If-None-Match), coalesced: calls while one is in flight make one more fetch after it. */
  #refresh(): void {
    if (this.#closed) return;
    if (this.#fetching) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#fetching = this.#fetch().finally(() => {
      this.#fetching = undefined;
      if (this.#again) {
        this.#again = false;
        this.#refresh();
      } else {
        this.#schedule();
      }
    });
  }

  async #fetch(): Promise<void> {
    try {
      const snapshot = await this.client.server.snapshot({ ifNoneMatch: this.version && `"${this.version}"` }, { signal: this.#abort.signal });
      this.#failures = 0;
      if (snapshot) {
        this.#load(snapshot);
        this.emit('updated');
      }
      this.#settleReady.resolve();
      if (this.stale) {
        this.stale = false;
        this.emit('fresh');
      }
    } catch (err) {
      if (this.#closed) return;
      this.#failures++;
      if (!this.#state && err instanceof GatrixError && (err.status === 401 || err.status === 403)) {
        this.#settleReady.reject(err);
        return;
      }
      if (!this.stale) {
        this.stale = true;
        this.emit('stale', err);
      }
    }
  }

  /** The next revalidation: slow while the stream is up and Gatrix answers, fast (with backoff) otherwise. */
  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    const live = this.#socket?.connected && !this.stale;
    const delay = live ? this.#revalidateMs : Math.min(this.#maxPollMs, this.#pollMs * 2 ** Math.max(0, this.#failures - 1));
    this.#timer = setTimeout(() => this.#refresh(), delay);
  }

  #listen(): void {
    const events = [
      ...(this.#uses.worlds ? WORLD_EVENTS : []),
      ...(this.#uses.maintenance ? MAINTENANCE_EVENTS : []),
      ...(this.#uses.versions ? VERSION_EVENTS : []),
      ...(this.#uses.whitelist ? WHITELIST_EVENTS : []),
      ...(this.#uses.notices ? NOTICE_EVENTS : []),
    ];
    const socket = this.client.realtime.connect({ events });
    this.#socket = socket;
    // A fresh connection (not a recovered one) may have missed events: revalidate. A recovered one replays them.
    socket.on('connect', () => {
      if (!socket.recovered) this.#refresh();
      else this.#schedule();
    });
    socket.on('disconnect', () => this.#schedule());
    const world = (data: { world: GameWorld }) => this.#apply((s) => {
      s.worlds.set(data.world.id, data.world);
      s.worldList = s.byWorldId = undefined;
    });
    socket.on('world_created', world);
    socket.on('world_updated', world);
    socket.on('world_maintenance_started', world);
    socket.on('world_maintenance_ended', world);
    socket.on('world_deleted', (data) => this.#apply((s) => {
      s.worlds.delete(data.id);
      s.worldList = s.byWorldId = undefined;
    }));
    // Global maintenance events carry the window but not the whole record: revalidate.
    socket.on('maintenance_started', () => this.#refresh());
    socket.on('maintenance_ended', () => this.#refresh());
    socket.on('maintenance_updated', () => this.#refresh());
    const version = (data: { clientVersion: ClientVersion }) => this.#apply((s) => {
      s.versions.set(data.clientVersion.id, data.clientVersion);
      s.index = undefined;
    });
    socket.on('client_version_created', version);
    socket.on('client_version_updated', version);
    socket.on('client_version_deleted', (data) => this.#apply((s) => {
      s.versions.delete(data.id);
      s.index = undefined;
    }));
    const notice = (data: { notice: Notice }) => this.#apply((s) => void s.notices.set(data.notice.id, data.notice));
    socket.on('notice_created', notice);
    socket.on('notice_updated', notice);
    socket.on('notice_deleted', (data) => this.#apply((s) => void s.notices.delete(data.id)));
    socket.on('whitelist_updated', (data) => this.#apply((s) => {
      const id = data.entry.id;
      const before = s.whitelist.get(id);
      if (data.change === 'deleted' || !data.entry.enabled) s.whitelist.delete(id);
      else s.whitelist.set(id, data.entry);
      const after = s.whitelist.get(id);
      const m = s.matcher;
      if (!m) return;
      // The former version leaves the layer of additions if it was there, else joins the removed ones.
      if (before) {
        const at = m.added.indexOf(before);
        if (at >= 0) m.added.splice(at, 1);
        else m.removed.push(before);
      }
      if (after) m.added.push(after);
      m.addedMatcher = m.removedMatcher = undefined;
      // Windows count from when the matcher was built (as the layers are built at that instant); a new entry's start
      // or end may come sooner than the built matcher's.
      if (after) m.validUntil = Math.min(m.validUntil, createWhitelistMatcher([after], new Date(m.builtAt)).validUntil);
    }));
  }

  /** Applies an event's record to the cache; before the first snapshot, or while one is being fetched, fetches (again) instead. */
  #apply(change: (s: State) => void): void {
    if (!this.#state) return this.#refresh();
    if (this.#fetching) this.#again = true;
    change(this.#state);
    this.emit('updated');
  }
}
