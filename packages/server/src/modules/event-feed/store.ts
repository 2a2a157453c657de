import type { Db } from '../../db/index.ts';

export interface FeedRow {
  position: number;
  id: string;
  payload: string;
}

/** The dispatched events of the outbox, by feed position (events/dispatcher.ts gives each one when it claims it). */
export function feedStore(db: Db) {
  return {
    /** The feed position of an event, or undefined when no dispatched event has this id (pruned, never existed, not yet dispatched). */
    async positionOf(id: string): Promise<number | undefined> {
      const row = await db.selectFrom('outbox_events').select('feed_position').where('id', '=', id).where('feed_position', 'is not', null).executeTakeFirst();
      return row ? Number(row.feed_position) : undefined;
    },

    /** Up to `limit` events of these types after `position`, oldest first (or the newest ones, still oldest first). */
    async read(types: readonly string[], opts: { after: number; limit: number; newest?: boolean }): Promise<FeedRow[]> {
      if (types.length === 0) return [];
      const rows = await db
        .selectFrom('outbox_events')
        .select(['feed_position', 'id', 'payload'])
        .where('feed_position', '>', opts.after)
        .where('type', 'in', types)
        .orderBy('feed_position', opts.newest ? 'desc' : 'asc')
        .limit(opts.limit)
        .execute();
      const out = rows.map((r) => ({ position: Number(r.feed_position), id: r.id, payload: r.payload }));
      return opts.newest ? out.reverse() : out;
    },

    /**
     * Deletes up to `batch` dispatched events created before `cutoff`, keeping the newest dispatched event (the
     * next claim numbers on from it, so positions are never given twice). Returns how many it deleted.
     */
    async pruneBatch(cutoff: string, batch = 1000): Promise<number> {
      const newest = await db.selectFrom('outbox_events').select((eb) => eb.fn.max('feed_position').as('p')).executeTakeFirst();
      if (newest?.p === null || newest?.p === undefined) return 0;
      const seqs = (
        await db
          .selectFrom('outbox_events')
          .select('seq')
          .where('feed_position', '<', Number(newest.p))
          .where('created_at', '<', cutoff)
          .orderBy('feed_position')
          .limit(batch)
          .execute()
      ).map((r) => Number(r.seq));
      if (seqs.length === 0) return 0;
      await db.deleteFrom('outbox_events').where('seq', 'in', seqs).execute();
      return seqs.length;
    },
  };
}

export type FeedStore = ReturnType<typeof feedStore>;
