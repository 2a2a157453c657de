import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import { likePattern } from '../../db/dialect.ts';
import { ValidationError } from '../../core/errors.ts';
import { allows, type Actor, type Principal } from '../../core/permissions.ts';
import type { AuditLogsFilter, ListAuditLogsFilter, PublicAuditLog } from './schemas.ts';
import { AUDIT_TARGETS } from '../../events/audit-log.ts';
import { recordChange } from '../../events/record.ts';
import { page, type Page } from '../../core/paging.ts';
import type { AuditLogsTable } from '../../db/schema.ts';

const COLUMNS = ['id', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'before', 'after', 'ip', 'request_id', 'reason', 'created_at'] as const;
type Row = Pick<AuditLogsTable, Exclude<(typeof COLUMNS)[number], 'id'>> & { id: number | string };

/** Rows the CSV export reads per query: the export never holds more than this many entries in memory. */
export const EXPORT_BATCH = 500;

const CSV_COLUMNS = ['id', 'createdAt', 'actorType', 'actorId', 'actorName', 'action', 'targetType', 'targetId', 'reason', 'ip', 'requestId', 'before', 'after'] as const;

/**
 * One CSV cell: quoted, quotes doubled; a text a spreadsheet would run as a formula (starting with = + - @, a
 * tab or a carriage return) gets a leading apostrophe.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

function toPublic(r: Row): PublicAuditLog {
  return {
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
    reason: r.reason,
    createdAt: r.created_at,
  };
}

export function createAuditService({ db, clock }: AppContext) {
  function check(f: AuditLogsFilter): void {
    if (f.from && f.to && new Date(f.to) <= new Date(f.from)) throw new ValidationError('to', 'must be after from');
  }

  function filtered(f: AuditLogsFilter, reader: Principal | undefined) {
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
    if (f.q) {
      const like = likePattern(f.q.toLowerCase(), { prefix: '%', suffix: '%' });
      const target = sql`lower(target_type || ':' || coalesce(target_id, ''))`;
      q = q.where((eb) =>
        eb.or([
          eb(sql`lower(action)`, 'like', like),
          eb(target, 'like', like),
          eb(sql`lower(coalesce(actor_name, ''))`, 'like', like),
          eb(sql`lower(coalesce(reason, ''))`, 'like', like),
          eb(sql`lower(coalesce(before, ''))`, 'like', like),
          eb(sql`lower(coalesce(after, ''))`, 'like', like),
        ]),
      );
    }
    return q;
  }

  return {
    /** The entries `reader` may see (see AUDIT_TARGETS). */
    async list(f: ListAuditLogsFilter, reader: Principal | undefined): Promise<Page<PublicAuditLog>> {
      check(f);
      const [rows, count] = await Promise.all([
        filtered(f, reader).select(COLUMNS).orderBy('id', 'desc').limit(f.limit).offset((f.page - 1) * f.limit).execute(),
        filtered(f, reader).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return page(rows.map(toPublic), f.page, f.limit, Number(count.n));
    },

    /**
     * The entries `reader` may see as CSV text, newest first: a header line, then one line per entry, read
     * EXPORT_BATCH at a time (keyset on id), so the whole table is never in memory. The export itself is
     * audited (`audit.exported`, with its filters) before the first line is produced.
     */
    async exportCsv(f: AuditLogsFilter, actor: Actor): Promise<AsyncGenerator<string>> {
      check(f);
      const { from, to, ...rest } = f;
      const filters = { ...rest, ...(from ? { from: new Date(from).toISOString() } : {}), ...(to ? { to: new Date(to).toISOString() } : {}) };
      await recordChange(db, clock, { actor, action: 'audit.exported', target: { type: 'audit', id: null }, after: { format: 'csv', filters } });
      const reader = actor.principal;
      return (async function* lines() {
        yield `${CSV_COLUMNS.join(',')}\r\n`;
        let below: number | undefined;
        for (;;) {
          let q = filtered(f, reader).select(COLUMNS);
          if (below !== undefined) q = q.where('id', '<', below);
          const rows = await q.orderBy('id', 'desc').limit(EXPORT_BATCH).execute();
          if (rows.length === 0) return;
          let chunk = '';
          for (const r of rows) {
            const e = toPublic(r);
            chunk += `${CSV_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
          }
          yield chunk;
          if (rows.length < EXPORT_BATCH) return;
          below = Number(rows[rows.length - 1].id);
        }
      })();
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
