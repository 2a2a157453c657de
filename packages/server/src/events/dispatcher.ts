import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import { inTransaction, onEventsCommitted } from '../context.ts';
import type { Db } from '../db/index.ts';
import { integerCase, type Dialect } from '../db/dialect.ts';
import type { EventEnvelope } from './catalog.ts';

export interface ClaimedEvent {
  seq: number;
  /** Its place in the event feed, given at the claim: positions grow in commit order (see firstPosition). */
  position: number;
  /** The envelope exactly as stored: webhooks send these bytes. */
  json: string;
  envelope: EventEnvelope;
}

/**
 * The first feed position of the events a claim is about to mark dispatched: the one after the highest given
 * so far. On PostgreSQL a transaction-scoped advisory lock makes the claims that give positions take turns, held
 * until the claim commits: the next claim reads the maximum only once this one is visible, so positions grow in
 * commit order and a feed reader past position p can never later see a new event below p. (seq cannot promise
 * that: two writers take seqs in one order and may commit in the other.) SQLite has one writer at a time.
 */
async function firstPosition(trx: Db, dialect: Dialect): Promise<number> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.outbox_events.feed_position'))`.execute(trx);
  const row = await trx.selectFrom('outbox_events').select((eb) => eb.fn.max('feed_position').as('p')).executeTakeFirst();
  return Number(row?.p ?? 0) + 1;
}

export interface DispatchConsumer {
  /** Runs inside the claiming transaction: what must not be lost (webhook deliveries) commits with the claim. */
  claimed?(trx: Db, events: ClaimedEvent[], now: Date): Promise<void>;
  /** Runs after the claim commits, in outbox order (live sockets). */
  committed?(events: ClaimedEvent[]): void;
}

/**
 * Moves outbox events to their consumers. Each event is claimed by exactly one node (FOR UPDATE SKIP LOCKED
 * on PostgreSQL; SQLite has a single writer), so webhook fan-out and socket emits happen once cluster-wide.
 * A commit that wrote events wakes it at once; a slow poll picks up events committed by other nodes' crashed
 * dispatchers. The poll claims only events that were already pending at its previous run, not the ones another
 * node has just committed and is about to claim: when changes come through one node, that node alone emits them, in
 * order. (Were two nodes to emit one node's consecutive events, neighbours could swap on a socket: a node delivers
 * its own emits at once and the other node's when it reads them back from Redis.)
 */
export function createDispatcher(
  deps: { db: Db; dialect: Dialect; clock: Clock; log: Logger },
  consumers: DispatchConsumer[],
  opts: { batchSize?: number; pollMs?: number } = {},
) {
  const { db, dialect, clock, log } = deps;
  const batchSize = opts.batchSize ?? 200;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /** Claims the next batch of pending events with seq ≤ upTo. */
  async function claimBatch(upTo: number): Promise<number> {
    const now = clock.now();
    let claimed: ClaimedEvent[] = [];
    await inTransaction(db, async (trx) => {
      // The claim may only walk the pending index in seq order and stop after the batch. A table never analyzed (a
      // fresh install) or analyzed before a burst made the planner take the backlog for a few rows and read and sort
      // all of it for every batch: a backlog of n events took ~n²/200 rows to drain. The settings last to the end of
      // this transaction; its other statements (the consumers' inserts, the feed position, the update by seq) are
      // index lookups that neither setting touches.
      if (dialect === 'postgres') await sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`.execute(trx);
      let q = trx.selectFrom('outbox_events').select(['seq', 'payload']).where('dispatched_at', 'is', null).orderBy('seq').limit(batchSize);
      if (upTo !== Infinity) q = q.where('seq', '<=', upTo);
      if (dialect === 'postgres') q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      if (rows.length === 0) return;
      const first = await firstPosition(trx, dialect);
      claimed = rows.map((r, i) => ({ seq: Number(r.seq), position: first + i, json: r.payload, envelope: JSON.parse(r.payload) as EventEnvelope }));
      for (const c of consumers) await c.claimed?.(trx, claimed, now);
      await trx
        .updateTable('outbox_events')
        .set({ dispatched_at: now.toISOString(), feed_position: integerCase('seq', claimed.map((e) => [e.seq, e.position])) })
        .where(
          'seq',
          'in',
          claimed.map((e) => e.seq),
        )
        .execute();
    });
    for (const c of consumers) {
      try {
        c.committed?.(claimed);
      } catch (err) {
        log.error({ err }, 'an event consumer failed');
      }
    }
    return claimed.length;
  }

  async function drain(upTo: number): Promise<void> {
    do {
      again = false;
      while (!stopped && (await claimBatch(upTo)) === batchSize);
      upTo = Infinity; // a wake-up during the run asks for everything
    } while (again && !stopped);
  }

  function run(upTo: number): Promise<void> {
    running = drain(upTo)
      .catch((err: unknown) => log.error({ err }, 'event dispatch failed'))
      .finally(() => {
        running = undefined;
        // A commit between drain's last check and here would otherwise wait for the poll.
        if (again) void dispatcher.notify();
      });
    return running;
  }

  /** The highest pending seq at the previous poll: what is still pending up to it, its own node has not claimed. */
  let horizon = 0;
  async function poll(): Promise<void> {
    if (stopped) return;
    const upTo = horizon;
    try {
      const row = await db.selectFrom('outbox_events').select((eb) => eb.fn.max('seq').as('n')).where('dispatched_at', 'is', null).executeTakeFirst();
      horizon = Number(row?.n ?? 0);
    } catch (err) {
      log.error({ err }, 'event dispatch poll failed');
      return;
    }
    if (upTo > 0 && !running && !stopped) await run(upTo);
  }

  const dispatcher = {
    /** Adds a consumer (the realtime gateway joins once the HTTP server exists). */
    use(consumer: DispatchConsumer): void {
      consumers.push(consumer);
    },
    /** Dispatch now (coalesced: one drain at a time, re-run if asked during it). */
    notify(): Promise<void> {
      if (stopped) return Promise.resolve();
      if (running) {
        again = true;
        return running;
      }
      return run(Infinity);
    },
    start(): void {
      stopped = false;
      timer ??= setInterval(() => void poll(), opts.pollMs ?? 1000);
      timer.unref();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
  onEventsCommitted(db, () => void dispatcher.notify());
  return dispatcher;
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
