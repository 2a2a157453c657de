import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Actor, Permission } from '../core/permissions.ts';

/**
 * What each kind of target is, by the permission that reads it through its own routes: the audit log shows an
 * entry only to a caller who may read its target there, so it never tells what those routes would refuse.
 */
export const AUDIT_TARGETS = {
  user: 'users.read',
  api_key: 'apiKeys.read',
  world: 'ops.read',
  maintenance: 'ops.read',
  whitelist: 'ops.read',
  client_version: 'ops.read',
  notice: 'ops.read',
  webhook: 'webhooks.read',
  webhook_delivery: 'webhooks.read',
  /** The audit log itself (its exports). */
  audit: 'audit.read',
} as const satisfies Record<string, Permission>;

export type AuditTargetType = keyof typeof AUDIT_TARGETS;

export interface AuditEntry {
  action: string;
  targetType: AuditTargetType;
  targetId?: string | number | null;
  /**
   * Snapshots are the target's public representation, as its routes answer it: a credential is never part of one
   * (a new key or secret is added to its creation response only; webhook header values are masked).
   */
  before?: unknown;
  after?: unknown;
}

/**
 * Records one audit entry on the caller's transaction handle, so it commits or rolls back with the change.
 * Services call recordChange (record.ts), which writes the entry with the change's outbox events.
 */
export async function writeAudit(trx: Kysely<Database>, at: string, actor: Actor, entry: AuditEntry): Promise<void> {
  const p = actor.principal;
  await trx
    .insertInto('audit_logs')
    .values({
      actor_type: p ? (p.kind === 'user' ? 'user' : 'api_key') : 'system',
      actor_id: p ? (p.kind === 'user' ? p.userId : p.keyId) : null,
      actor_name: p ? (p.kind === 'user' ? p.username : p.name) : 'system',
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId == null ? null : String(entry.targetId),
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      ip: actor.ip ?? null,
      request_id: actor.requestId ?? null,
      reason: actor.reason ?? null,
      created_at: at,
    })
    .execute();
}
