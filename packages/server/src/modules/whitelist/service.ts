import { iso } from '../../core/clock.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { checkWindow, isoOrNull, patchFrom, toInt } from '../../db/columns.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew, recordChange } from '../../events/record.ts';
import { inTransaction } from '../../context.ts';
import { DomainError } from '../../core/errors.ts';
import { planImport, type ImportLine } from './import.ts';
import { createWhitelistMatcher } from '../../core/rules.ts';
import { normalizeIpValue } from '../../core/rules.ts';
import type { WhitelistImportInput } from './schemas.ts';
import type { CreateWhitelistInput, ListWhitelistFilter, PublicWhitelistEntry, UpdateWhitelistInput, WhitelistType } from './schemas.ts';
import { whitelistStore, type NewWhitelistRow, type WhitelistPatchRow } from './store.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

const ACCOUNT_MAX = 128;

/**
 * The stored spelling of a value, or a 400 naming `value`: an account id is trimmed and has no whitespace; an
 * IP is an IPv4/IPv6 address or CIDR, canonicalized (see normalizeIpValue).
 */
export function whitelistValue(type: WhitelistType, raw: string): string {
  const value = raw.trim();
  if (type === 'ip') {
    const ip = normalizeIpValue(value);
    if (!ip) throw new ValidationError('value', 'must be an IPv4 or IPv6 address, or a CIDR such as 10.0.0.0/8 or 2001:db8::/32');
    return ip;
  }
  if (value.length === 0 || value.length > ACCOUNT_MAX || /\s/.test(value)) {
    throw new ValidationError('value', `must be an account id of 1 to ${ACCOUNT_MAX} characters without whitespace`);
  }
  return value;
}

const notFound = (id: number) => new NotFoundError(`Whitelist entry ${id}`, 'whitelist_entry_not_found');
/** An entry as its updates and deletes find it. */
const existing = (id: number) => ({ load: (trx: Db) => whitelistStore(trx).findById(id), notFound: () => notFound(id) });

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A whitelist entry changed (undefined: deleted); the game-client API rebuilds its matcher. */
    whitelist: { id: number; entry: PublicWhitelistEntry | undefined };
  }
}

/** What an import did, or (dryRun) would do. */
export interface ImportOutcome {
  dryRun: boolean;
  /** True when the entries were written (not a dry run, every line valid). */
  written: boolean;
  counts: { lines: number; valid: number; invalid: number; created: number; skipped: number; warnings: number };
  results: (ImportLine & { entry?: ImportLine['entry'] & { id?: number } })[];
}

/** Raised when a real import has invalid lines: the 422 carries every line's result (routes.ts). */
export class ImportRejected extends DomainError {
  constructor(readonly outcome: ImportOutcome) {
    const bad = outcome.results.filter((r) => !r.ok);
    super(
      'unprocessable',
      'whitelist_import_invalid',
      `${bad.length} of ${outcome.counts.lines} lines are invalid; nothing was written`,
      bad.slice(0, 20).map((r) => ({ path: `lines.${r.line}.${r.error!.field}`, message: r.error!.detail })),
    );
  }
}

/** Why an entry matches a caller, or would if it were in effect. */
export interface EntryMatch {
  entry: PublicWhitelistEntry;
  /** `account` (the account id equals the value) or `ip` (the address is the value or inside its CIDR). */
  matchedBy: 'account' | 'ip';
  inEffect: boolean;
  /** Why it does not let the caller through when not in effect: `disabled`, `not started` or `ended`. */
  why: string;
}

export function createWhitelistService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock } = ctx;
  const changed = (id: number, entry: PublicWhitelistEntry | undefined) => changes.publish('whitelist', { id, entry });

  return {
    async list(filter: ListWhitelistFilter): Promise<Page<PublicWhitelistEntry>> {
      const store = whitelistStore(db);
      const [data, total] = await Promise.all([store.list(filter), store.count(filter)]);
      return page(data, filter.page, filter.limit, total);
    },

    /** Every enabled entry, windows not applied: the input of createWhitelistMatcher. */
    enabledEntries: (): Promise<PublicWhitelistEntry[]> => whitelistStore(db).enabled(),
    /** Changes with every write to the entries (whitelistStore.revision). */
    revision: (): Promise<string> => whitelistStore(db).revision(),

    async get(id: number): Promise<PublicWhitelistEntry> {
      const entry = await whitelistStore(db).findById(id);
      if (!entry) throw notFound(id);
      return entry;
    },

    async create(input: CreateWhitelistInput, actor: Actor): Promise<PublicWhitelistEntry> {
      const value = whitelistValue(input.type, input.value);
      const startsAt = isoOrNull(input.startsAt);
      const endsAt = isoOrNull(input.endsAt);
      checkWindow(startsAt, endsAt);
      const now = iso(clock);
      const row: NewWhitelistRow = {
        type: input.type,
        value,
        memo: input.memo ?? null,
        enabled: toInt(input.enabled ?? true),
        starts_at: startsAt,
        ends_at: endsAt,
        created_at: now,
        updated_at: now,
      };
      return createNew(db, clock, {
        write: (trx) => whitelistStore(trx).insert(row).catch(rethrowConflict),
        record: (created) => ({ at: now, actor, action: 'whitelist.create', target: { type: 'whitelist', id: created.id }, after: created,
          event: { name: 'whitelist.updated', data: { entry: created, change: 'created' } } }),
        afterCommit: (created) => changed(created.id, created),
      });
    },

    async update(id: number, input: UpdateWhitelistInput, actor: Actor, ifMatch?: string): Promise<PublicWhitelistEntry> {
      const now = iso(clock);
      return changeExisting(db, clock, existing(id), ifMatch, {
        write: async (trx, before) => {
          const patch: WhitelistPatchRow = {
            ...patchFrom(input, {
              type: 'type',
              memo: 'memo',
              enabled: ['enabled', (v) => toInt(Boolean(v))],
              startsAt: ['starts_at', isoOrNull],
              endsAt: ['ends_at', isoOrNull],
            }),
            updated_at: now,
          };
          checkWindow(patch.starts_at === undefined ? before.startsAt : patch.starts_at, patch.ends_at === undefined ? before.endsAt : patch.ends_at);
          // A new type re-checks the kept value, and a new value is checked against the kept type.
          if (input.type !== undefined || input.value !== undefined) {
            patch.value = whitelistValue(input.type ?? before.type, input.value ?? before.value);
          }
          return (await whitelistStore(trx).update(id, patch).catch(rethrowConflict))!;
        },
        record: (before, after) => ({ at: now, actor, action: 'whitelist.update', target: { type: 'whitelist', id }, before, after,
          event: { name: 'whitelist.updated', data: { entry: after, change: 'updated' } } }),
        afterCommit: (after) => changed(id, after),
      });
    },

    /**
     * Imports lines of entries (import.ts has the format). A dry run, or a run with an invalid line, writes
     * nothing (the latter throws ImportRejected); otherwise every new entry is inserted in one transaction, each
     * with its own `whitelist.create` audit entry and `whitelist.updated` event, like a single create.
     */
    async import(input: WhitelistImportInput, actor: Actor): Promise<ImportOutcome> {
      const d = input.defaults ?? {};
      const startsAt = isoOrNull(d.startsAt);
      const endsAt = isoOrNull(d.endsAt);
      checkWindow(startsAt, endsAt, 'defaults.endsAt');
      const plan = async (handle: Db) => planImport(input.text, await handle.selectFrom('whitelist_entries').select(['id', 'type', 'value']).execute().then((rows) => rows.map((r) => ({ ...r, id: Number(r.id) }))), d.description ?? null);
      const outcome = (results: ImportOutcome['results'], written: boolean): ImportOutcome => ({
        dryRun: input.dryRun,
        written,
        counts: {
          lines: results.length,
          valid: results.filter((r) => r.ok).length,
          invalid: results.filter((r) => !r.ok).length,
          created: written ? results.filter((r) => r.action === 'create').length : 0,
          skipped: results.filter((r) => r.action === 'skip').length,
          warnings: results.filter((r) => r.warnings?.length).length,
        },
        results,
      });
      if (input.dryRun) return outcome(await plan(db), false);
      const now = iso(clock);
      const inserted: PublicWhitelistEntry[] = [];
      const results = await inTransaction(db, async (trx) => {
        // Planned on the transaction: the entries it compares with are the ones the inserts meet.
        const lines: ImportOutcome['results'] = await plan(trx);
        if (lines.some((r) => !r.ok)) throw new ImportRejected(outcome(lines, false));
        const store = whitelistStore(trx);
        for (const r of lines) {
          if (r.action !== 'create' || !r.entry) continue;
          const created = await store
            .insert({ type: r.entry.type, value: r.entry.value, memo: r.entry.memo, enabled: toInt(d.enabled ?? true), starts_at: startsAt, ends_at: endsAt, created_at: now, updated_at: now })
            .catch(rethrowConflict);
          r.entry = { ...r.entry, id: created.id };
          inserted.push(created);
          await recordChange(trx, clock, { at: now, actor, action: 'whitelist.create', target: { type: 'whitelist', id: created.id }, after: created,
            event: { name: 'whitelist.updated', data: { entry: created, change: 'created' } } });
        }
        return lines;
      });
      for (const e of inserted) changed(e.id, e);
      return outcome(results, true);
    },

    /**
     * Which entries match an account id and/or IP, whether each is in effect now and why not: the real matcher
     * (matcher.ts) run on each entry alone, its window and enabled flag lifted to see what it would match.
     */
    async matching(accountId: string | undefined, ip: string | undefined): Promise<EntryMatch[]> {
      const now = clock.now();
      const entries = await whitelistStore(db).all();
      const out: EntryMatch[] = [];
      for (const e of entries) {
        const lifted = { ...e, enabled: true, startsAt: null, endsAt: null };
        const byAccount = e.type === 'account' && createWhitelistMatcher([lifted], now).matches(accountId, undefined);
        const byIp = e.type === 'ip' && ip !== undefined && createWhitelistMatcher([lifted], now).matches(undefined, ip);
        if (!byAccount && !byIp) continue;
        const inEffect = createWhitelistMatcher([e], now).matches(accountId, ip);
        const why = inEffect ? 'in effect' : !e.enabled ? 'disabled' : e.startsAt !== null && Date.parse(e.startsAt) > now.getTime() ? 'not started' : 'ended';
        out.push({ entry: e, matchedBy: byAccount ? 'account' : 'ip', inEffect, why });
      }
      return out;
    },

    /** Every entry, oldest first, `batch` at a time (the CSV export). */
    async *batches(batch = 500): AsyncGenerator<PublicWhitelistEntry[]> {
      let after = 0;
      for (;;) {
        const rows = await whitelistStore(db).after(after, batch);
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < batch) return;
        after = rows[rows.length - 1].id;
      }
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      await changeExisting(db, clock, existing(id), ifMatch, {
        write: (trx) => whitelistStore(trx).delete(id),
        record: (before) => ({ actor, action: 'whitelist.delete', target: { type: 'whitelist', id }, before,
          event: { name: 'whitelist.updated', data: { entry: before, change: 'deleted' } } }),
        afterCommit: () => changed(id, undefined),
      });
    },
  };
}

export type WhitelistService = ReturnType<typeof createWhitelistService>;
