import type { Kysely } from 'kysely';
import type { Dialect } from '../../db/dialect.ts';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from '../../db/schema.ts';
import { powerOfTwoChunks, webhooksStore, type WebhookRow } from './store.ts';

/** A delivery the worker leased, with what an attempt needs. */
export interface Claimed {
  id: number;
  webhookId: number;
  eventId: string;
  eventType: string;
  payload: string;
  attempts: number;
  eventCreatedAt: string;
}

type DeliveryPatch = Partial<Omit<WebhookDeliveriesTable, 'id'>>;

/** Which deliveries a claim may take, leased until `leaseUntil` by `nodeId`. */
interface ClaimQuery {
  nodeId: string;
  at: string;
  leaseUntil: string;
  /** Nodes whose last heartbeat is older than this are dead: their leases may be taken. */
  staleBefore: string;
  limit: number;
}

/** Leases due deliveries in `status` (see claim), oldest due first. */
async function take(db: Kysely<Database>, dialect: Dialect, status: 'pending' | 'delivering', q: ClaimQuery): Promise<Claimed[]> {
  const rows = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'delivering', lease_until: q.leaseUntil, leased_by: q.nodeId, updated_at: q.at })
    .where('id', 'in', (eb) => {
      let s = eb
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', status)
        .where('next_attempt_at', '<=', q.at)
        .where((w) =>
          status === 'pending'
            ? w.or([w('lease_until', 'is', null), w('lease_until', '<', q.at)])
            : w.or([
                w('lease_until', '<', q.at),
                // Leased by another node that stopped beating (a null leased_by is not matched: only its lease ends it).
                w.and([
                  w('leased_by', '<>', q.nodeId),
                  w('leased_by', 'not in', w.selectFrom('webhook_nodes').select('webhook_nodes.id').where('webhook_nodes.heartbeat_at', '>=', q.staleBefore)),
                ]),
              ]),
        )
        .orderBy('next_attempt_at')
        .limit(q.limit);
      if (dialect === 'postgres') s = s.forUpdate().skipLocked();
      return s;
    })
    .returning(['id', 'webhook_id', 'event_id', 'event_type', 'payload', 'attempts', 'event_created_at'])
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    webhookId: Number(r.webhook_id),
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    attempts: Number(r.attempts),
    eventCreatedAt: r.event_created_at,
  }));
}

/** The rows of webhook_nodes: one per live worker, with its heartbeat. */
function nodeQueries(db: Kysely<Database>) {
  return {
    /** Writes a node's heartbeat (its row again, if another node removed it while this one was stalled). */
    async beat(nodeId: string, at: string): Promise<void> {
      await db
        .insertInto('webhook_nodes')
        .values({ id: nodeId, started_at: at, heartbeat_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: at }))
        .execute();
    },
    /** Forgets the nodes whose last heartbeat is older than `before`. */
    async forgetNodesBefore(before: string): Promise<void> {
      await db.deleteFrom('webhook_nodes').where('heartbeat_at', '<', before).execute();
    },
    async removeNode(nodeId: string): Promise<void> {
      await db.deleteFrom('webhook_nodes').where('id', '=', nodeId).execute();
    },
    /** Puts every leased delivery back in the queue; how many there were. */
    async releaseAllLeases(at: string): Promise<number> {
      const released = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', lease_until: null, leased_by: null, updated_at: at })
        .where('status', '=', 'delivering')
        .executeTakeFirst();
      return Number(released.numUpdatedRows);
    },
  };
}

/**
 * All the SQL of the delivery worker: its node row and heartbeat, claiming deliveries under a lease, recording
 * attempts, and retention. Built on the database or on a transaction.
 */
export function deliveryStore(db: Kysely<Database>, dialect: Dialect) {
  const endpoints = webhooksStore(db);
  return {
    ...nodeQueries(db),
    /**
     * Leases up to `limit` due `pending` deliveries, in due order; with `expired`, first those whose lease ran out
     * (a crashed worker's) or whose node stopped beating. Two statements rather than one with an OR, so that the
     * pending ones are read in the order of the (status, next_attempt_at) index and the read stops after `limit`
     * rows instead of sorting the whole due backlog; and the expired ones, which need a look at every leased row,
     * are only looked for by the poll (leases last a minute or more, so the poll interval adds little to a crash's
     * recovery).
     */
    async claim(q: ClaimQuery & { expired: boolean }): Promise<Claimed[]> {
      const rescued = q.expired ? await take(db, dialect, 'delivering', q) : [];
      return rescued.length < q.limit ? [...rescued, ...(await take(db, dialect, 'pending', { ...q, limit: q.limit - rescued.length }))] : rescued;
    },

    /** Which of these deliveries still exist. */
    async existingDeliveries(ids: number[]): Promise<Set<number>> {
      const found = new Set<number>();
      for (const chunk of powerOfTwoChunks(ids, 512)) {
        for (const r of await db.selectFrom('webhook_deliveries').select('id').where('id', 'in', chunk).execute()) found.add(Number(r.id));
      }
      return found;
    },
    /** Attempt rows, in multi-row inserts. */
    async insertAttempts(rows: Omit<WebhookAttemptsTable, 'id'>[]): Promise<void> {
      for (const chunk of powerOfTwoChunks(rows, 128)) await db.insertInto('webhook_attempts').values(chunk).execute();
    },
    async updateDelivery(id: number, patch: DeliveryPatch): Promise<void> {
      await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
    },
    /** The same change to several deliveries (a batch delivered alike). */
    async updateDeliveries(ids: number[], patch: DeliveryPatch): Promise<void> {
      for (const chunk of powerOfTwoChunks(ids, 512)) await db.updateTable('webhook_deliveries').set(patch).where('id', 'in', chunk).execute();
    },

    endpoint(id: number): Promise<WebhookRow | undefined> {
      return endpoints.find(id);
    },
    updateEndpoint(id: number, patch: Partial<Omit<WebhooksTable, 'id'>>): Promise<void> {
      return endpoints.update(id, patch);
    },
    /** Ends the failing streak of these endpoints (those that have one). */
    clearFailing(ids: number[]): Promise<void> {
      return endpoints.updateMany(ids, { failing_since: null }, (q) => q.where('failing_since', 'is not', null));
    },

    /** Deletes up to 1000 finished deliveries created before `cutoff`, with their attempts; how many. */
    async pruneBatch(cutoff: string): Promise<number> {
      const ids = (
        await db.selectFrom('webhook_deliveries').select('id').where('status', 'in', ['delivered', 'failed']).where('created_at', '<', cutoff).limit(1000).execute()
      ).map((r) => Number(r.id));
      if (ids.length === 0) return 0;
      await db.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
      await db.deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
      return ids.length;
    },
  };
}

export type DeliveryStore = ReturnType<typeof deliveryStore>;
