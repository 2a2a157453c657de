import type { AppContext } from '../../context.ts';
import { likePattern } from '../../db/dialect.ts';
import { ValidationError } from '../../core/errors.ts';
import { allows, type Principal } from '../../core/permissions.ts';
import type { ListAuditLogsFilter, PublicAuditLog } from './schemas.ts';
import { AUDIT_TARGETS } from '../../events/audit-log.ts';
import { page, type Page } from '../../core/paging.ts';

const COLUMNS = ['id', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'before', 'after', 'ip', 'request_id', 'created_at'] as const;

export function createAuditService({ db }: AppContext) {
  function filtered(f: ListAuditLogsFilter, reader: Principal | undefined) {
    let q = db.selectFrom('audit_logs');
    const hidden = Object.entries(AUDIT_TARGETS).flatMap(([type, permission]) => (allows(permission, reader) ? [] : [type]));
    if (hidden.length > 0) q = q.where('target_type', 'not in', hidden);
    if (f.actorType) q = q.where('actor_type', '=', f.actorType);
    if (f.actorId) q = q.where('actor_id', '=', f.actorId);
    if (f.action) {
      q = f.action.endsWith('.*') ? q.where('action', 'like', likePattern(f.action.slice(0, -1), { suffix: '%' })) : q.where('action', '=', f.action);
    }
    if (f.targetType) q = q.where('target_type', '=', f.targetType);
    if (f.targetId) q = q.where('target_id', '=', f.targetId);
    if (f.requestId) q = q.where('request_id', '=', f.requestId);
    if (f.from) q = q.where('created_at', '>=', new Date(f.from).toISOString());
    if (f.to) q = q.where('created_at', '<', new Date(f.to).toISOString());
    return q;
  }

  return {
    /** The entries `reader` may see (see AUDIT_TARGETS). */
    async list(f: ListAuditLogsFilter, reader: Principal | undefined): Promise<Page<PublicAuditLog>> {
      if (f.from && f.to && new Date(f.to) <= new Date(f.from)) throw new ValidationError('to', 'must be after from');
      const [rows, count] = await Promise.all([
        filtered(f, reader).select(COLUMNS).orderBy('id', 'desc').limit(f.limit).offset((f.page - 1) * f.limit).execute(),
        filtered(f, reader).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      const data = rows.map(
        (r): PublicAuditLog => ({
          id: Number(r.id),
          actorType: r.actor_type as PublicAuditLog['actorType'],
          actorId: r.actor_id === null ? null : Number(r.actor_id),
          actorName: r.actor_name,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          before: r.before === null ? null : (JSON.parse(r.before) as unknown),
          after: r.after === null ? null : (JSON.parse(r.after) as unknown),
          ip: r.ip,
          requestId: r.request_id,
          createdAt: r.created_at,
        }),
      );
      return page(data, f.page, f.limit, Number(count.n));
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
