import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../../db/dialect.ts';
import { idChunks, idIn, insertRowsKept, runKept, type IdSlot } from '../../db/prepared.ts';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from '../../db/schema.ts';
import { webhooksStore, type WebhookRow } from './store.ts';

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

/** Every column of an attempt row (the record type makes the list complete). */
const ATTEMPT_ROW_COLUMNS = Object.keys({
  delivery_id: 1,
  attempt: 1,
  request_headers: 1,
  response_status: 1,
  response_headers: 1,
  response_body: 1,
  duration_ms: 1,
  error: 1,
  created_at: 1,
} satisfies Record<keyof Omit<WebhookAttemptsTable, 'id'>, 1>) as (keyof Omit<WebhookAttemptsTable, 'id'>)[];

/** Which deliveries a claim may take, leased until `leaseUntil` by `nodeId`. */
interface ClaimQuery {
  nodeId: string;
  at: string;
  leaseUntil: string;
  /** Nodes whose last heartbeat is older than this are dead: their leases may be taken. */
  staleBefore: string;
  limit: number;
}

type ClaimSlot = keyof ClaimQuery | 'status' | 'delivering';

/**
 * Leases due deliveries in `status` (see claim), oldest due first. On PostgreSQL through the function of migration
 * 0018, which can only walk the due index in order whatever the statistics say; on SQLite one kept statement per
 * status.
 */
async function take(db: Kysely<Database>, dialect: Dialect, status: 'pending' | 'delivering', q: ClaimQuery): Promise<Claimed[]> {
  if (dialect === 'postgres') {
    const { rows } = await sql<ClaimedRow>`
      select id, webhook_id, event_id, event_type, payload, attempts, event_created_at
      from claim_webhook_deliveries(${status}, ${q.nodeId}, ${q.at}, ${q.leaseUntil}, ${q.staleBefore}, ${q.limit})`.execute(db);
    return rows.map(toClaimed);
  }
  const { rows } = await runKept<ClaimSlot, ClaimedRow>(
    db as never,
    dialect,
    `claim ${status}`,
    (v) =>
      db
        .updateTable('webhook_deliveries')
        .set({ status: v('delivering'), lease_until: v('leaseUntil'), leased_by: v('nodeId'), updated_at: v('at') })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('status', '=', v('status'))
            .where('next_attempt_at', '<=', v('at'))
            .where((w) =>
              status === 'pending'
                ? w.or([w('lease_until', 'is', null), w('lease_until', '<', v('at'))])
                : w.or([
                    w('lease_until', '<', v('at')),
                    // Leased by another node that stopped beating (a null leased_by is not matched: only its lease ends it).
                    w.and([
                      w('leased_by', '<>', v('nodeId')),
                      w('leased_by', 'not in', w.selectFrom('webhook_nodes').select('webhook_nodes.id').where('webhook_nodes.heartbeat_at', '>=', v('staleBefore'))),
                    ]),
                  ]),
            )
            .orderBy('next_attempt_at')
            .limit(v('limit')),
        )
        .returning(['id', 'webhook_id', 'event_id', 'event_type', 'payload', 'attempts', 'event_created_at']),
    (slot) => (slot === 'status' ? status : slot === 'delivering' ? 'delivering' : q[slot]),
  );
  return rows.map(toClaimed);
}

function toClaimed(r: ClaimedRow): Claimed {
  return {
    id: Number(r.id),
    webhookId: Number(r.webhook_id),
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    attempts: Number(r.attempts),
    eventCreatedAt: r.event_created_at,
  };
}

type ClaimedRow = Pick<WebhookDeliveriesTable, 'webhook_id' | 'event_id' | 'event_type' | 'payload' | 'attempts' | 'event_created_at'> & { id: number };

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
      for (const chunk of idChunks(dialect, ids, 512)) {
        const { rows } = await runKept<IdSlot, { id: number }>(
          db as never,
          dialect,
          `existing deliveries × ${chunk.key}`,
          (v) => db.selectFrom('webhook_deliveries').select('id').where(idIn(dialect, 'id', chunk.ids, v)),
          chunk.value,
        );
        for (const r of rows) found.add(Number(r.id));
      }
      return found;
    },
    /** Attempt rows, in multi-row inserts. */
    async insertAttempts(rows: Omit<WebhookAttemptsTable, 'id'>[]): Promise<void> {
      await insertRowsKept(db as never, dialect, 'webhook_attempts', ATTEMPT_ROW_COLUMNS, rows, { max: 128 });
    },
    async updateDelivery(id: number, patch: DeliveryPatch): Promise<void> {
      await db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
    },
    /** The same change to several deliveries (a batch delivered alike): kept statements per set of columns and chunk shape. */
    async updateDeliveries(ids: number[], patch: DeliveryPatch): Promise<void> {
      const columns = Object.keys(patch) as (keyof DeliveryPatch)[];
      for (const chunk of idChunks(dialect, ids, 512)) {
        await runKept<keyof DeliveryPatch | IdSlot>(
          db as never,
          dialect,
          `update deliveries ${columns.join(',')} × ${chunk.key}`,
          (v) =>
            db
              .updateTable('webhook_deliveries')
              .set(Object.fromEntries(columns.map((c) => [c, v(c)])))
              .where(idIn(dialect, 'id', chunk.ids, v)),
          (slot) => (typeof slot === 'number' || slot === 'ids' ? chunk.value(slot) : patch[slot]),
        );
      }
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
