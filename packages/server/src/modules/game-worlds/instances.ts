import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { inTransaction, type AppContext } from '../../context.ts';
import { NotFoundError } from '../../core/errors.ts';
import { SYSTEM_ACTOR, type Actor } from '../../core/permissions.ts';
import { uniqueViolationField } from '../../db/dialect.ts';
import type { Database } from '../../db/schema.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { recordChange } from '../../events/record.ts';
import { populationOf, type HeartbeatInput, type Population, type PublicWorldInstance } from './instance-schemas.ts';
import { instancesStore, toPublicInstance, type InstanceKey, type ReportColumns } from './instance-store.ts';

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** An instance of a world was registered, came back, went down or was deregistered (not sent for plain heartbeats). */
    'world-instances': { world: number; instanceId: string };
  }
}

/** Down instances are deleted this long after they went down. */
export const PRUNE_AFTER_MS = 3_600_000;
/** At most this many instances are marked down per sweep and transaction batch; the next sweep takes the rest. */
const SWEEP_BATCH = 500;
/** Plain heartbeats wait at most this long in memory and are written together, in one transaction. */
const HEARTBEAT_FLUSH_MS = 250;

interface World {
  id: number;
  worldId: string;
}

export interface HeartbeatAnswer {
  /** This heartbeat registered the instance, or brought it back up after it was marked down. */
  registered: boolean;
  ttlSeconds: number;
}

/**
 * World instances: registered and kept up by their own heartbeats (PUT), marked down by a sweep every node runs
 * when a heartbeat is overdue, deregistered by DELETE. Heartbeats of an up instance write no audit entry or event;
 * only the state changes (registered / back up, down, deregistered) do. A heartbeat of an instance this node wrote
 * less than a TTL ago is answered at once and its UPDATE queued: every HEARTBEAT_FLUSH_MS the queue is written in
 * one transaction (and before this node reads instances, sweeps or stops). Any other heartbeat is written before
 * it is answered, since it may register the instance or bring it back up.
 */
export function createInstancesService(ctx: AppContext, changes: ChangeFeed, onPopulation: (population: ReadonlyMap<number, Population | null>) => void) {
  const { db, clock, config } = ctx;
  const ttlMs = config.instanceTtlMs;
  /** A heartbeat that changes nothing is not written when this node wrote that instance less than this ago. */
  const coalesceMs = ttlMs / 2;
  /** How often each node sweeps: a sixth of the TTL, between 250 ms and 5 s. */
  const sweepIntervalMs = Math.min(5000, Math.max(250, ttlMs / 6));

  /** worldId (lower case) → the world; dropped whenever worlds change. */
  let worlds = new Map<string, World>();
  changes.subscribe('game-worlds', () => {
    worlds = new Map();
  });
  /** What this node last wrote of each instance, and when (ms). */
  const written = new Map<string, { report: string; at: number }>();
  const keyOf = (k: InstanceKey) => `${k.world}\u0000${k.instanceId}`;
  /** Heartbeats answered and not written yet, by instance: the latest one of each. */
  const queued = new Map<string, { k: InstanceKey; report: ReportColumns; at: string }>();
  changes.subscribe('world-instances', (k) => {
    written.delete(keyOf(k));
    queued.delete(keyOf(k));
  });

  let flushTimer: NodeJS.Timeout | undefined;
  /** The last queue write; writes run one after the other and never reject. */
  let flushed: Promise<void> = Promise.resolve();
  /** Writes the queued heartbeats now; resolves when every heartbeat answered so far is in the database. */
  function flush(): Promise<void> {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (queued.size === 0) return flushed;
    const batch = [...queued.values()];
    queued.clear();
    flushed = flushed.then(async () => {
      try {
        const gone = await inTransaction(db, async (trx) => {
          const store = instancesStore(trx);
          const missed: InstanceKey[] = [];
          for (const b of batch) if (!(await store.beat(b.k, b.report, b.at))) missed.push(b.k);
          return missed;
        });
        // Down or deregistered in the meantime (another node's view): the next heartbeat takes the full path.
        for (const k of gone) written.delete(keyOf(k));
      } catch (err) {
        for (const b of batch) written.delete(keyOf(b.k));
        ctx.log.warn({ err, heartbeats: batch.length }, 'could not write a batch of heartbeats; the next ones are written one by one');
      }
    });
    return flushed;
  }

  async function world(worldId: string): Promise<World> {
    const key = worldId.toLowerCase();
    let w = worlds.get(key);
    if (!w) {
      const row = await db.selectFrom('game_worlds').select(['id', 'world_id']).where(sql`lower(world_id)`, '=', key).executeTakeFirst();
      if (!row) throw new NotFoundError(`Game world ${worldId}`, 'world_not_found');
      w = { id: Number(row.id), worldId: row.world_id };
      worlds.set(key, w);
    }
    return w;
  }

  function reportOf(input: HeartbeatInput): ReportColumns {
    return {
      address: input.address,
      region: input.region ?? null,
      capacity: input.capacity,
      players: input.players,
      status: input.status,
      version: input.version ?? null,
      tags: JSON.stringify(input.tags ?? []),
    };
  }

  const published = (k: InstanceKey) => changes.publish('world-instances', { world: k.world, instanceId: k.instanceId });

  /** Registration, or return after being down: one transaction with its audit entry and world.instance_up. */
  async function bringUp(w: World, k: InstanceKey, report: ReportColumns, at: string, actor: Actor): Promise<boolean> {
    return inTransaction(db, async (trx) => {
      const store = instancesStore(trx);
      const before = await store.find(k);
      let reason: 'registered' | 'returned';
      if (!before) {
        await store.insert(k, report, at);
        reason = 'registered';
      } else if (await store.revive(k, report, at)) {
        reason = 'returned';
      } else {
        // Up already: another node brought it up between our two statements.
        await store.beat(k, report, at);
        return false;
      }
      const instance = toPublicInstance(w.worldId, (await store.find(k))!);
      await recordChange(trx, clock, {
        at,
        actor,
        action: reason === 'registered' ? 'world.instance_register' : 'world.instance_up',
        target: { type: 'world', id: w.id },
        before: before && toPublicInstance(w.worldId, before),
        after: instance,
        event: { name: 'world.instance_up', data: { id: w.id, worldId: w.worldId, instanceId: k.instanceId, reason, instance } },
      });
      return true;
    });
  }

  async function markDown(trx: Kysely<Database>, k: InstanceKey, cutoff: string, at: string): Promise<boolean> {
    const store = instancesStore(trx);
    if (!(await store.markDown(k, cutoff, at))) return false;
    const row = (await store.find(k))!;
    const w = await trx.selectFrom('game_worlds').select('world_id').where('id', '=', k.world).executeTakeFirstOrThrow();
    const instance = toPublicInstance(w.world_id, row);
    await recordChange(trx, clock, {
      at,
      actor: SYSTEM_ACTOR,
      action: 'world.instance_down',
      target: { type: 'world', id: k.world },
      after: instance,
      event: { name: 'world.instance_down', data: { id: k.world, worldId: w.world_id, instanceId: k.instanceId, reason: 'expired', instance } },
    });
    return true;
  }

  let population = new Map<number, Population | null>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const service = {
    ttlMs,
    sweepIntervalMs,

    /** A heartbeat: registers the instance, keeps it up, or brings it back up. */
    async heartbeat(worldId: string, instanceId: string, input: HeartbeatInput, actor: Actor): Promise<HeartbeatAnswer> {
      const w = await world(worldId);
      const k = { world: w.id, instanceId };
      const report = reportOf(input);
      const signature = JSON.stringify(report);
      const now = clock.now();
      const answer = { registered: false, ttlSeconds: ttlMs / 1000 };
      const key = keyOf(k);
      const last = written.get(key);
      if (last && last.report === signature && now.getTime() - last.at < coalesceMs) return answer;
      const at = now.toISOString();
      if (last && now.getTime() - last.at < ttlMs) {
        // Up, and written by this node well within the sweep's cutoff (a TTL and a half): queued.
        queued.set(key, { k, report, at });
        flushTimer ??= setTimeout(() => void flush(), HEARTBEAT_FLUSH_MS);
      } else if (!(await instancesStore(db).beat(k, report, at))) {
        let registered: boolean;
        try {
          registered = await bringUp(w, k, report, at, actor);
        } catch (err) {
          // Two first heartbeats at once: the other one registered it.
          if (!uniqueViolationField(err)) throw err;
          registered = false;
          await instancesStore(db).beat(k, report, at);
        }
        if (registered) {
          published(k);
          answer.registered = true;
        }
      }
      written.set(key, { report: signature, at: now.getTime() });
      return answer;
    },

    async list(worldId: string): Promise<PublicWorldInstance[]> {
      const w = await world(worldId);
      await flush();
      return (await instancesStore(db).list(w.id)).map((r) => toPublicInstance(w.worldId, r));
    },

    /** Deregisters an instance (a server shutting down); world.instance_down when it was up. */
    async deregister(worldId: string, instanceId: string, actor: Actor): Promise<void> {
      const w = await world(worldId);
      const k = { world: w.id, instanceId };
      await flush();
      await inTransaction(db, async (trx) => {
        const store = instancesStore(trx);
        const before = await store.find(k);
        if (!before || !(await store.delete(k))) throw new NotFoundError(`Instance ${instanceId} of game world ${w.worldId}`, 'instance_not_found');
        const instance = toPublicInstance(w.worldId, before);
        await recordChange(trx, clock, {
          actor,
          action: 'world.instance_deregister',
          target: { type: 'world', id: w.id },
          before: instance,
          event: instance.up ? { name: 'world.instance_down', data: { id: w.id, worldId: w.worldId, instanceId, reason: 'deregistered', instance } } : undefined,
        });
      });
      written.delete(keyOf(k));
      published(k);
    },

    /**
     * Marks down the up instances not heard from for the TTL (plus the coalescing window: see heartbeat), each
     * claimed by a conditional UPDATE so that one node only announces it; prunes instances down for an hour.
     * Answers how many this node marked down.
     */
    async sweep(): Promise<number> {
      await flush();
      const now = clock.now();
      const at = now.toISOString();
      const cutoff = new Date(now.getTime() - ttlMs - coalesceMs).toISOString();
      let down = 0;
      for (const k of await instancesStore(db).overdue(cutoff, SWEEP_BATCH)) {
        const key = { world: Number(k.world_id), instanceId: k.instance_id };
        if (await inTransaction(db, (trx) => markDown(trx, key, cutoff, at))) {
          down++;
          published(key);
        }
      }
      await instancesStore(db).prune(new Date(now.getTime() - PRUNE_AFTER_MS).toISOString());
      return down;
    },

    /** Live figures of worlds by game_worlds.id (all worlds with instances when `ids` is left out). */
    live: async (ids?: number[]) => {
      await flush();
      return instancesStore(db).live(ids);
    },

    /** Every world's players and up instances by worldId, for the Prometheus gauges. */
    async gauges(): Promise<{ world: string; players: number; instancesUp: number }[]> {
      const rows = await db.selectFrom('game_worlds').select(['id', 'world_id']).execute();
      const live = await service.live();
      return rows.map((r) => {
        const l = live.get(Number(r.id));
        return { world: r.world_id, players: l?.players ?? 0, instancesUp: l?.instancesUp ?? 0 };
      });
    },

    /** Recomputes each world's population and tells the game-client API when any world's changed. */
    async refreshPopulation(): Promise<void> {
      const next = new Map<number, Population | null>();
      for (const [id, l] of await service.live()) next.set(id, populationOf(l));
      const same = next.size === population.size && [...next].every(([id, p]) => population.get(id) === p);
      if (same) return;
      population = next;
      onPopulation(next);
    },

    /** One background pass: the sweep, then the population. */
    tick(): Promise<unknown> {
      running ??= service
        .sweep()
        .then(() => service.refreshPopulation())
        .finally(() => (running = undefined));
      return running;
    },

    start(onError: (err: unknown) => void): void {
      timer ??= setInterval(() => service.tick().catch(onError), sweepIntervalMs);
      timer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await flush();
    },
  };
  return service;
}

export type InstancesService = ReturnType<typeof createInstancesService>;
