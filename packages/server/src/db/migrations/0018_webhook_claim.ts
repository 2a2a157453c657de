import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * PostgreSQL: the webhook worker's claim as one function, so that it is planned with bitmap scans and sorts switched
 * off (the function's own SET clauses) and can only walk the (status, next_attempt_at) index in due order, stopping
 * after the rows it leases. A queue's statistics are stale by nature — none on a fresh install, and a backlog builds
 * within seconds while autovacuum analyzes a minute later — and planned on them the claim read and sorted every due
 * row to lease 64 (9–10 ms over a 20,000-deep backlog, growing with it). Setting the same for a statement from the
 * client takes a transaction and three more round trips, each of which waits its turn on a busy node's event loop.
 *
 * `p_status` 'pending' takes due deliveries whose lease (if any) ran out; 'delivering' those leased by a node that
 * stopped beating (not in webhook_nodes since `p_stale_before`) or whose lease ran out.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`
    create function claim_webhook_deliveries(p_status text, p_node text, p_at text, p_lease_until text, p_stale_before text, p_limit integer)
    returns setof webhook_deliveries
    language sql
    set enable_bitmapscan = off
    set enable_sort = off
    as $$
      update webhook_deliveries set status = 'delivering', lease_until = p_lease_until, leased_by = p_node, updated_at = p_at
      where id in (
        select d.id from webhook_deliveries d
        where d.status = p_status and d.next_attempt_at <= p_at
          and (
            (p_status = 'pending' and (d.lease_until is null or d.lease_until < p_at))
            or (p_status = 'delivering' and (
              d.lease_until < p_at
              -- Leased by another node that stopped beating (a null leased_by is not matched: only its lease ends it).
              or (d.leased_by <> p_node and d.leased_by not in (select n.id from webhook_nodes n where n.heartbeat_at >= p_stale_before))
            ))
          )
        order by d.next_attempt_at
        limit p_limit
        for update skip locked
      )
      returning *
    $$`.execute(db);
}
