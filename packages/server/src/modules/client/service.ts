import { gzipSync } from 'node:zlib';
import type { Clock } from '../../core/clock.ts';
import { contentHash } from '../../core/etag.ts';
import { NotFoundError } from '../../core/errors.ts';
import { then, type MaybePromise } from '../../core/maybe.ts';
import type { PublicClientVersion } from '../client-versions/schemas.ts';
import type { PublicGlobalMaintenance } from '../maintenance/schemas.ts';
import type { PublicWhitelistEntry } from '../whitelist/schemas.ts';
import type { PublicGameWorld } from '../game-worlds/schemas.ts';
import type { Population } from '../game-worlds/instance-schemas.ts';
import type { PublicNotice } from '../notices/schemas.ts';
import {
  clientStatus,
  clientWorld,
  compareNotices,
  createWhitelistMatcher,
  globalMaintenanceAt,
  indexVersions,
  languageKey,
  localizeNotice,
  matchNotices,
  noticeShownAt,
  noticesValidUntil,
  patchSatisfied,
  resolveClientVersion,
  worldMaintenanceAt,
  type NoticeQuery,
} from '../../core/rules.ts';

/** Where the game-client API reads from; loaded into memory and served from there. */
export interface ClientSources {
  versions(): Promise<PublicClientVersion[]>;
  maintenance(): Promise<PublicGlobalMaintenance>;
  worlds(): Promise<PublicGameWorld[]>;
  whitelist(): Promise<PublicWhitelistEntry[]>;
  /** Changes whenever the whitelist does: a reload with the revision it has already read keeps its entries unread. */
  whitelistRevision(): Promise<string>;
  /** Notices that may be shown now or later (enabled, not ended); match.ts picks those of each client. */
  notices(): Promise<PublicNotice[]>;
}

export interface ClientVersionQuery {
  channel: string;
  subChannel: string;
  version: string;
  patchVersion?: string;
  accountId?: string;
  lang?: string;
}

export interface Caller {
  accountId?: string;
  ip?: string;
  lang?: string;
}

/** A visible world, its `maintenance` as it stands when the snapshot was built. */
interface ClientWorld extends PublicGameWorld {
  /** A maintenance window is scheduled and has not started. */
  upcoming: boolean;
}

interface VersionEntry {
  version: PublicClientVersion;
  answers: Map<string, string>;
  byParameters: Map<string, string>;
}

/** The server snapshot (GET /server/snapshot) as sent: JSON text, its gzip, and its version (the ETag's value). */
export interface SnapshotDocument {
  version: string;
  etag: string;
  body: string;
  gzip: Buffer;
}

interface Snapshot {
  /** What it was built from, for the server snapshot: every world, version and whitelist entry in effect or not. */
  sources: { versions: PublicClientVersion[]; worlds: PublicGameWorld[]; whitelist: PublicWhitelistEntry[]; notices: PublicNotice[] };
  document?: SnapshotDocument;
  /** Versions by channel × subChannel × version (or `latest`), and each channel × subChannel's, newest first. */
  versions: ReturnType<typeof indexVersions<VersionEntry>>;
  /** Global maintenance, `active` as it stands when the snapshot was built. */
  global: PublicGlobalMaintenance;
  /** A global window is scheduled and has not started. */
  globalUpcoming: boolean;
  worlds: ClientWorld[];
  /** The notices shown when the snapshot was built, in the order clients show them. */
  notices: PublicNotice[];
  /** Notice answers by the exact query parameters (bounded by NOTICE_MEMO_MAX). */
  noticeAnswers: Map<string, string>;
  /** When it was built (ms since epoch): what it answers holds until expiresAt. */
  at: number;
  matcher: Matcher;
  /** Serialized answers that do not depend on who asks (within a language and whitelist flag). */
  answers: Map<string, string>;
  /** When what it answers stops holding (the next window start or end): from then on it is not used. */
  expiresAt: number;
  /** When its bounded age is up: from then on the next one is loaded, and this one answers until it is there. */
  refreshAt: number;
}

type Matcher = ReturnType<typeof createWhitelistMatcher>;

/** The entries a matcher reads are the same (in the store's order, by id). */
function sameMatcherInput(a: readonly PublicWhitelistEntry[], b: readonly PublicWhitelistEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.id !== y.id || x.type !== y.type || x.value !== y.value || x.enabled !== y.enabled || x.startsAt !== y.startsAt || x.endsAt !== y.endsAt) return false;
  }
  return true;
}

/** Distinct (patchVersion, lang) pairs remembered per version; callers cannot grow it past this. */
const PARAMETER_MEMO_MAX = 1000;
/** Distinct notice queries remembered per snapshot; past it, answers are still memoised by which notices match. */
const NOTICE_MEMO_MAX = 10_000;

const channelKey = (channel: string, subChannel: string) => `${channel}\u0000${subChannel}`;

/**
 * The game-client API: everything in memory, rebuilt after any change (here or, through the bus, on another
 * node). Answers are cached as serialized JSON per version × language × patch check; the whitelist is
 * applied after the cache, and a whitelisted caller's answer is computed for it alone, so it never reaches
 * anyone else.
 */
export function createClientService(sources: ClientSources, clock: Clock, maxAgeMs: number) {
  let snapshot: Snapshot | undefined;
  let generation = 0;
  let loading: { generation: number; promise: Promise<Snapshot> } | undefined;
  /** The last server snapshot document: a rebuild with the same content keeps it (and its generatedAt), so its ETag stays strong. */
  let lastDocument: SnapshotDocument | undefined;
  /** Each world's population by id (kept apart from the snapshot: it changes without the worlds changing). */
  let population: ReadonlyMap<number, Population | null> = new Map();
  /**
   * The last whitelist read, its revision and the matcher built from it. A reload at the same revision reads no
   * entries (100,000 take ~0.4 s to read, and the bounded age reloads every 2–60 s); one whose entries are the same
   * keeps the matcher (a build costs ~0.2 s at 100,000).
   */
  let lastWhitelist: { revision: string; entries: PublicWhitelistEntry[]; matcher?: Matcher } | undefined;

  /** The revision first: an entry written between the two reads leaves it behind the entries, so the next reload reads again. */
  async function whitelistEntries(): Promise<PublicWhitelistEntry[]> {
    const revision = await sources.whitelistRevision();
    if (lastWhitelist?.revision === revision) return lastWhitelist.entries;
    const entries = await sources.whitelist();
    const matcher = lastWhitelist && sameMatcherInput(lastWhitelist.entries, entries) ? lastWhitelist.matcher : undefined;
    lastWhitelist = { revision, entries, matcher };
    return entries;
  }

  function matcherFor(whitelist: PublicWhitelistEntry[], now: Date): Matcher {
    const last = lastWhitelist?.entries === whitelist ? lastWhitelist : undefined;
    if (last?.matcher && now.getTime() < last.matcher.validUntil) return last.matcher;
    const matcher = createWhitelistMatcher(whitelist, now);
    if (last) last.matcher = matcher;
    return matcher;
  }

  async function build(): Promise<Snapshot> {
    const [versions, global, worlds, whitelist, notices] = await Promise.all([
      sources.versions(),
      sources.maintenance(),
      sources.worlds(),
      whitelistEntries(),
      sources.notices(),
    ]);
    const now = clock.now();
    const t = now.getTime();
    const matcher = matcherFor(whitelist, now);
    // Maintenance as its window stands now (not as the scheduler last applied it), and the next moment that changes.
    const g = globalMaintenanceAt(global, t);
    let expiresAt = Math.min(matcher.validUntil, g.changesAt, noticesValidUntil(notices, t));
    const clientWorlds: ClientWorld[] = [];
    for (const w of worlds) {
      if (!w.visible) continue;
      // A world's record has no "asked for" flag: maintenance asked for is in effect, or has a window (ended windows end in the past).
      const m = worldMaintenanceAt(w, t);
      expiresAt = Math.min(expiresAt, m.changesAt);
      clientWorlds.push({ ...w, maintenance: m.active, upcoming: m.upcoming });
    }
    const entries = versions.map((v): VersionEntry => ({ version: v, answers: new Map(), byParameters: new Map() }));
    return {
      sources: { versions: [...versions].sort((a, b) => a.id - b.id), worlds, whitelist, notices: [...notices].sort((a, b) => a.id - b.id) },
      versions: indexVersions(entries, (e) => e.version),
      global: { ...global, active: g.active },
      globalUpcoming: g.upcoming,
      worlds: clientWorlds,
      notices: notices.filter((n) => noticeShownAt(n, t)).sort(compareNotices),
      noticeAnswers: new Map(),
      at: t,
      matcher,
      answers: new Map(),
      expiresAt,
      refreshAt: t + maxAgeMs,
    };
  }

  /**
   * The snapshot to answer from. Past its bounded age it still answers while the next one loads (a reload of a
   * large whitelist takes a while, and every request would wait for it); past its expiry, after a change
   * (invalidate) or before the first load, requests wait for the load.
   */
  function current(): Snapshot | Promise<Snapshot> {
    const now = clock.now().getTime();
    if (snapshot && now < snapshot.expiresAt) {
      if (now >= snapshot.refreshAt) void load();
      return snapshot;
    }
    return load();
  }

  /** The load of the current generation, started unless one is under way; a load of an older generation is not kept. */
  function load(): Promise<Snapshot> {
    if (loading?.generation !== generation) {
      const gen = generation;
      const promise = build().then((s) => {
        if (gen === generation) snapshot = s;
        return s;
      });
      promise.finally(() => {
        if (loading?.promise === promise) loading = undefined;
      }).catch(() => undefined);
      loading = { generation: gen, promise };
    }
    return loading.promise;
  }

  function memo(cache: Map<string, string>, key: string, make: () => unknown): string {
    let s = cache.get(key);
    if (s === undefined) {
      s = JSON.stringify(make());
      cache.set(key, s);
    }
    return s;
  }

  return {
    /** Drops the snapshot; the next request loads a fresh one. */
    invalidate(): void {
      generation++;
      snapshot = undefined;
    },

    /**
     * New populations (only when some world's changed): drops the cached world-list answers, not the snapshot.
     */
    setPopulation(next: ReadonlyMap<number, Population | null>): void {
      population = next;
      if (!snapshot) return;
      for (const key of snapshot.answers.keys()) if (key.startsWith('worlds|')) snapshot.answers.delete(key);
    },

    /** The resolved answer as JSON text. */
    clientVersion(q: ClientVersionQuery, ip: string | undefined): MaybePromise<string> {
      return then(current(), (s) => answerVersion(s, q, ip));
    },

    status(caller: Caller): MaybePromise<string> {
      return then(current(), (s) => answerStatus(s, caller));
    },

    worlds(caller: Caller): MaybePromise<string> {
      return then(current(), (s) => answerWorlds(s, caller));
    },

    /** Everything a game server needs, as one versioned document (GET /api/v1/server/snapshot; docs/server-cache.md). */
    serverSnapshot(): MaybePromise<SnapshotDocument> {
      return then(current(), snapshotDocument);
    },

    /** The notices this client gets now, in `lang`, as JSON text. */
    notices(q: NoticeQuery & { lang?: string }): MaybePromise<string> {
      return then(current(), (s) => answerNotices(s, q));
    },

    /** The registered versions of a channel and sub-channel, newest first, as JSON text. */
    versionList(channel: string, subChannel: string): MaybePromise<string> {
      return then(current(), (s) => answerVersionList(s, channel, subChannel));
    },
  };

  function snapshotDocument(s: Snapshot): SnapshotDocument {
    if (s.document) return s.document;
    const { versions, worlds, whitelist, notices } = s.sources;
    const content = JSON.stringify({ worlds, maintenance: s.global, whitelist, clientVersions: versions, notices });
    const version = contentHash(content);
    if (lastDocument?.version !== version) {
      const body = `{"version":${JSON.stringify(version)},"generatedAt":${JSON.stringify(clock.now().toISOString())},${content.slice(1)}`;
      lastDocument = { version, etag: `"${version}"`, body, gzip: gzipSync(body) };
    }
    s.document = lastDocument;
    return lastDocument;
  }

  function answerNotices(s: Snapshot, q: NoticeQuery & { lang?: string }): string {
    const exact = `${q.channel ?? ''}\u0000${q.subChannel ?? ''}\u0000${q.worldId ?? ''}\u0000${q.version ?? ''}\u0000${q.lang ?? ''}`;
    const seen = s.noticeAnswers.get(exact);
    if (seen !== undefined) return seen;
    // The snapshot's notices are those shown from `at` until it expires: only the targeting is left to match.
    const matched = matchNotices(s.notices, q, s.at);
    const key = `notices|${matched.map((n) => n.id).join(',')}|${languageKey(q.lang, ...matched.map((n) => n.translations))}`;
    const answer = memo(s.answers, key, () => ({ data: matched.map((n) => localizeNotice(n, q.lang)) }));
    if (s.noticeAnswers.size < NOTICE_MEMO_MAX) s.noticeAnswers.set(exact, answer);
    return answer;
  }

  function answerVersionList(s: Snapshot, channel: string, subChannel: string): string {
    const list = s.versions.list(channel, subChannel);
    // An unknown channel is not remembered, so callers cannot grow the cache with made-up names.
    if (!list) return JSON.stringify({ data: [] });
    return memo(s.answers, `versions|${channelKey(channel, subChannel)}`, () => ({
      data: list.map(({ version: v }) => ({
        channel: v.channel,
        subChannel: v.subChannel,
        version: v.version,
        status: v.status,
        gameServerAddress: v.gameServerAddress,
        patchAddress: v.patchAddress,
        minPatchVersion: v.minPatchVersion,
        guestModeAllowed: v.guestModeAllowed,
        externalClickLink: v.externalClickLink,
        customPayload: v.customPayload,
      })),
    }));
  }

  function answerVersion(s: Snapshot, q: ClientVersionQuery, ip: string | undefined): string {
    const entry = s.versions.find(q.channel, q.subChannel, q.version);
    if (!entry) throw new NotFoundError(`Client version ${q.channel}/${q.subChannel}/${q.version}`, 'version_not_found');
    const v = entry.version;
    const whitelisted = s.matcher.matches(q.accountId, ip);
    const req = { patchVersion: q.patchVersion, lang: q.lang, whitelisted };
    if (whitelisted) return JSON.stringify(resolveClientVersion(v, s.global, req));
    // The answer depends on whether the patch is recent enough and which configured language `lang` selects;
    // the exact parameters seen are remembered too (up to a bound), so a repeat skips both computations.
    const exact = `${q.patchVersion ?? ''}\u0000${q.lang ?? ''}`;
    const seen = entry.byParameters.get(exact);
    if (seen !== undefined) return seen;
    const key = `${patchSatisfied(v, q.patchVersion)}|${languageKey(q.lang, s.global.messages, v.maintenanceMessages)}`;
    const answer = memo(entry.answers, key, () => resolveClientVersion(v, s.global, req));
    if (entry.byParameters.size < PARAMETER_MEMO_MAX) entry.byParameters.set(exact, answer);
    return answer;
  }

  function answerStatus(s: Snapshot, caller: Caller): string {
    const whitelisted = s.matcher.matches(caller.accountId, caller.ip);
    const g = s.global;
    return memo(s.answers, `status|${whitelisted}|${languageKey(caller.lang, g.messages)}`, () => clientStatus(g, s.globalUpcoming, whitelisted, caller.lang));
  }

  function answerWorlds(s: Snapshot, caller: Caller): string {
    const whitelisted = s.matcher.matches(caller.accountId, caller.ip);
    return memo(s.answers, `worlds|${whitelisted}|${languageKey(caller.lang, ...s.worlds.map((w) => w.maintenanceMessages))}`, () => ({
      data: s.worlds.map((w) => ({ ...clientWorld(w, w.upcoming, whitelisted, caller.lang), population: population.get(w.id) ?? null })),
    }));
  }
}

export type ClientService = ReturnType<typeof createClientService>;
