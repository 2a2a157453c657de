import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Principal } from '../permissions.ts';

/** Who made a change, from where: passed from the HTTP layer into services for auditing. */
export interface Actor {
  principal?: Principal;
  ip?: string | null;
  requestId?: string | null;
}

export const SYSTEM_ACTOR: Actor = {};

const SECRET_KEYS = /password|secret|token|hash|^key$/i;

/** Deep copy with every secret-looking field replaced, so no secret reaches the audit log. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) && v != null ? '[REDACTED]' : redact(v)]),
    );
  }
  return value;
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Records one audit entry on the caller's transaction handle, so it commits or rolls back with the change. */
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
      before: entry.before === undefined ? null : JSON.stringify(redact(entry.before)),
      after: entry.after === undefined ? null : JSON.stringify(redact(entry.after)),
      ip: actor.ip ?? null,
      request_id: actor.requestId ?? null,
      created_at: at,
    })
    .execute();
}
