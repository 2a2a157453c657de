import { iso } from '../../core/clock.ts';
import { inTransaction, sharedCacheMaxAgeMs, type AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { isoOrNull, patchFrom } from '../../db/columns.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew } from '../../events/record.ts';
import type { ProblemCode } from '../../core/problem-codes.ts';
import { assertPasswordAllowed } from '../../core/password-policy.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { randomBytes } from 'node:crypto';
import { liveSessions, revokeAllRefreshTokens, revokeSession, type SessionRow } from './sessions-store.ts';
import {
  BULK_MAX,
  type BulkItemResultType,
  type BulkUsersInput,
  type BulkUsersResultType,
  type CreateUserInput,
  type ListUsersFilter,
  type PublicUser,
  type SuspendUserInput,
  type UpdateUserInput,
  type UserFilter,
  type UserPageType,
} from './schemas.ts';
import { checkFilter, normalFilter, sortOf, sortValue, usersStore, type Position, type UserPatchRow } from './store.ts';
import { cursorCodec, matches, positionOf, UserListCache, type CachedPage, type CachedTotal, type UserChange } from './list-cache.ts';
import { SYSTEM_ACTOR, type Actor } from '../../core/permissions.ts';
import { recordChange } from '../../events/record.ts';

const CHANGE_FIELDS = ['username', 'email', 'displayName', 'role', 'status', 'lastLoginAt', 'suspendedReason', 'suspendedUntil'] as const;

/** The list filters of a query or bulk filter, and nothing else. */
function filterOf(f: UserFilter): UserFilter {
  const { role, status, q, createdFrom, createdTo, lastLoginFrom, lastLoginTo } = f;
  return { role, status, q, createdFrom, createdTo, lastLoginFrom, lastLoginTo };
}

/** A list query's filter as the list keys its caches and binds its cursors: only the filters, times as stored. */
export function listFilter(query: UserFilter): UserFilter {
  return normalFilter(filterOf(query));
}

const isSelf = (actor: Actor, id: number) => actor.principal?.kind === 'user' && actor.principal.userId === id;

/** Extra parts of an update made by the routes beyond PATCH: its audit action, columns the body has no field for. */
interface UpdateExtra {
  action?: string;
  patch?: UserPatchRow;
}

/** What an update changed, for its event: each field that differs, and the password (redacted) when it was set. */
function fieldChanges(before: PublicUser, after: PublicUser, passwordSet: boolean): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of CHANGE_FIELDS) {
    if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  }
  if (passwordSet) changes.password = { from: '[REDACTED]', to: '[REDACTED]' };
  return changes;
}

/** `until` of a suspension: a time in the future, as ISO 8601 UTC. */
function futureTime(until: string, now: Date): string {
  const t = new Date(until);
  if (Number.isNaN(t.getTime())) throw new ValidationError('until', 'is not a time this server can read');
  if (!(t.getTime() > now.getTime())) throw new ValidationError('until', 'must be in the future');
  return t.toISOString();
}

const notFound = (id: number) => new NotFoundError(`User ${id}`, 'user_not_found');

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /**
     * A user's row changed (`user` undefined: deleted): cached pages and totals, credentials, open sockets. `before`
     * is the row before the change (null: created), so list caches drop only what the change touches.
     */
    users: { userId: number; user: PublicUser | undefined; before: PublicUser | null };
  }
}

export function createUsersService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock, dialect } = ctx;
  // A change drops exactly what it touches, here and (over the Redis bus) on other nodes, so the lifetime only bounds
  // what a node can miss: 30 s, or 2 s for PostgreSQL nodes without a bus (context.ts).
  const cache = new UserListCache(clock, sharedCacheMaxAgeMs(ctx, 30_000), dialect === 'sqlite');
  const cursors = cursorCodec(ctx.config.jwtSecret);
  /** The answer made of a cached page and total, reused while both are: the route keeps its serialized body with it. */
  const answers = new WeakMap<CachedPage, { total: CachedTotal; answer: UserPageType }>();
  const exactMax = ctx.config.usersExactTotalMax;
  const changed = (userId: number, user: PublicUser | undefined, before: PublicUser | null) => changes.publish('users', { userId, user, before });

  /**
   * Exact up to GATRIX_USERS_EXACT_TOTAL_MAX, else estimated: on PostgreSQL the planner's estimate (which, far above
   * the limit, spares the count), on SQLite the filter's share of an evenly spread sample of the table. A search on
   * PostgreSQL is counted from the prefix indexes (`countSearch`), exactly while its prefix is not a common one.
   */
  async function totalOf(filter: UserFilter): Promise<{ total: number; exact: boolean }> {
    const store = usersStore(db);
    const search = await store.countSearch(filter);
    if (search) return search.complete ? { total: search.count, exact: search.count <= exactMax } : { total: Math.max(search.count, search.estimate), exact: false };
    const planned = dialect === 'postgres' ? await store.plannedRows(filter) : undefined;
    if (planned !== undefined && planned > 2 * exactMax) return { total: planned, exact: false };
    const counted = await store.countUpTo(filter, exactMax + 1);
    if (counted <= exactMax) return { total: counted, exact: true };
    if (planned !== undefined) return { total: Math.max(counted, planned), exact: false };
    const { users, share } = await store.sample(exactMax);
    return { total: Math.max(counted, Math.round(users.filter((u) => matches(filter, u)).length / share)), exact: false };
  }

  /**
   * Taken first by every transaction that may remove an active admin, so two of them (two admins demoting each
   * other) run one after the other and the second one's count sees the first one's change. PostgreSQL's row
   * locks do it; on SQLite the process runs one transaction at a time and the database one writer at a time.
   */
  async function lockAdmins(store: ReturnType<typeof usersStore>): Promise<void> {
    if (dialect === 'postgres') await store.lockActiveAdmins();
  }

  /** A new password for an existing user follows the rules and differs from the current one. */
  async function assertNewPassword(id: number, password: string, input: UpdateUserInput): Promise<void> {
    const creds = await usersStore(db).findCredentialsById(id);
    if (!creds) return; // the update answers 404
    assertPasswordAllowed('password', password, { username: input.username ?? creds.username, email: input.email ?? creds.email });
    if (creds.passwordHash && (await verifyPassword(password, creds.passwordHash))) {
      throw new ValidationError('password', 'must differ from the current password', 'password_unchanged');
    }
  }

  /** Called after the change inside its transaction (and after lockAdmins): throwing rolls it back. */
  async function assertAnAdminRemains(store: ReturnType<typeof usersStore>, before: PublicUser, after?: PublicUser) {
    const wasActiveAdmin = before.role === 'admin' && before.status === 'active';
    const staysActiveAdmin = after?.role === 'admin' && after.status === 'active';
    if (wasActiveAdmin && !staysActiveAdmin && (await store.countAdmins()) === 0) {
      throw new DomainError('conflict', 'last_admin', 'The last active admin cannot be removed, demoted or suspended');
    }
  }

  /** A user as its updates and deletes find it; `lockFirst` takes lockAdmins before reading it. */
  const existing = (id: number, lockFirst: boolean) => ({
    async load(trx: Db) {
      if (lockFirst) await lockAdmins(usersStore(trx));
      return usersStore(trx).findById(id);
    },
    notFound: () => notFound(id),
  });

  async function writeExportAudit(filter: UserFilter, rows: number, complete: boolean, actor: Actor): Promise<void> {
    await inTransaction(db, (trx) => recordChange(trx, clock, { actor, action: 'users.exported', target: { type: 'user', id: null }, after: { filter: filterOf(filter), rows, complete } }));
  }

  return {
    /** A user changed (here or on another node): drop the cached pages it may be on, move the totals it changes. */
    userChanged(before: PublicUser | null, after: PublicUser | null): void {
      cache.changed({ before, after } satisfies UserChange);
    },

    /** Users changed behind the service's back (a test writing the table): drop every cached page and total. */
    forgetCached(): void {
      cache.clear();
    },

    /**
     * A page of users: offset (`page`) or keyset (`cursor`) paging over the same order, with the cursor of the next
     * page and the total (exact, or estimated above GATRIX_USERS_EXACT_TOTAL_MAX). The answer for a cached page and
     * total is the same object on every hit, so the route can keep its serialized body with it.
     */
    async list(query: ListUsersFilter): Promise<UserPageType> {
      const { page: pageNo, limit, sort = 'id', cursor } = query;
      const filter = listFilter(query);
      const filterKey = JSON.stringify(filter);
      const from = cursor === undefined ? undefined : cursors.decode(cursor, sort, filterKey);
      const sorted = sortOf(sort);
      const [page, total] = await Promise.all([
        cache.page(JSON.stringify([filterKey, sort, limit, pageNo, cursor ?? null]), async () => {
          const rows = await usersStore(db).list({ ...filter, sort }, { limit: limit + 1, offset: (pageNo - 1) * limit, cursor: from });
          const data = rows.slice(0, limit);
          const last = data[data.length - 1];
          const cursorAfter = (u: PublicUser) => cursors.encode(sort, filterKey, positionOf(u, sorted));
          const nextCursor = rows.length > limit && last ? cursorAfter(last) : null;
          const offset = from ? 0 : (pageNo - 1) * limit;
          return { filter, sort: sorted, from, offset, limit, rows: data, nextCursor, cursorAfter };
        }),
        cache.total(filterKey, async () => ({ filter, ...(await totalOf(filter)) })),
      ]);
      const made = answers.get(page);
      if (made?.total === total) return made.answer;
      const answer: UserPageType = {
        data: page.rows,
        pagination: { page: pageNo, limit, total: total.total, totalPages: Math.ceil(total.total / limit), totalExact: total.exact },
        nextCursor: page.nextCursor,
      };
      answers.set(page, { total, answer });
      return answer;
    },

    /** Every user matching the filter in the sort, read `batch` at a time by keyset (never all at once). */
    async *matching(filter: UserFilter, sort = 'id', batch = 500): AsyncGenerator<PublicUser[], void, undefined> {
      let cursor: Position | undefined;
      for (;;) {
        const rows = await usersStore(db).list({ ...filterOf(filter), sort }, { limit: batch, cursor });
        if (rows.length > 0) yield rows;
        if (rows.length < batch) return;
        const last = rows[rows.length - 1];
        cursor = { value: sortValue(last, sort), id: last.id };
      }
    },

    /** The audit entry of a CSV export: who exported which filter, and how many rows were sent. */
    async recordExport(filter: UserFilter, rows: number, complete: boolean, actor: Actor): Promise<void> {
      await writeExportAudit(filter, rows, complete, actor);
    },

    async get(id: number): Promise<PublicUser> {
      const user = await usersStore(db).findById(id);
      if (!user) throw notFound(id);
      return user;
    },

    async create(input: CreateUserInput, actor: Actor): Promise<PublicUser> {
      if (input.password) assertPasswordAllowed('password', input.password, input);
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      const now = iso(clock);
      return createNew(db, clock, {
        write: (trx) =>
          usersStore(trx)
            .insert({
              username: input.username,
              email: input.email.toLowerCase(),
              display_name: input.displayName ?? null,
              role: input.role ?? 'player',
              status: input.status ?? 'active',
              password_hash: passwordHash,
              last_login_at: null,
              created_at: now,
              updated_at: now,
            })
            .catch(rethrowConflict),
        record: (created) => ({ at: now, actor, action: 'user.create', target: { type: 'user', id: created.id }, after: created,
          event: { name: 'user.created', data: { userId: created.id, user: created } } }),
        afterCommit: (created) => changed(created.id, created, null),
      });
    },

    async update(id: number, input: UpdateUserInput, actor: Actor, ifMatch?: string, extra: UpdateExtra = {}): Promise<PublicUser> {
      if (input.password) await assertNewPassword(id, input.password, input);
      const passwordHash = input.password ? await hashPassword(input.password) : undefined;
      const now = iso(clock);
      const mayRemoveAdmin = input.role !== undefined || input.status !== undefined || extra.patch?.status !== undefined;
      let prior: PublicUser | null = null;
      return changeExisting(db, clock, existing(id, mayRemoveAdmin), ifMatch, {
        async write(trx, before) {
          prior = before;
          if (isSelf(actor, id) && input.role && input.role !== before.role) {
            throw new ForbiddenError('You cannot change your own role', 'own_role');
          }
          const patch: UserPatchRow = {
            ...patchFrom(input, {
              username: 'username',
              email: ['email', (v) => v!.toLowerCase()],
              displayName: 'display_name',
              role: 'role',
              status: 'status',
              lastLoginAt: ['last_login_at', isoOrNull],
            }),
            // A suspension's reason and end go with it.
            ...(input.status !== undefined && input.status !== 'suspended' ? { suspended_reason: null, suspended_until: null } : {}),
            ...extra.patch,
            updated_at: now,
          };
          if (passwordHash) patch.password_hash = passwordHash;
          const store = usersStore(trx);
          const after = (await store.update(id, patch).catch(rethrowConflict))!;
          await assertAnAdminRemains(store, before, after);
          if (after.status === 'suspended' || after.role !== before.role || passwordHash) await revokeAllRefreshTokens(trx, id, now);
          return after;
        },
        record: (before, after) => ({ at: now, actor, action: extra.action ?? 'user.update', target: { type: 'user', id }, before, after,
          event: { name: 'user.updated', data: { userId: id, user: after, changes: fieldChanges(before, after, passwordHash !== undefined) } } }),
        afterCommit: (after) => changed(id, after, prior),
      });
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      if (isSelf(actor, id)) {
        throw new ForbiddenError('You cannot delete your own account', 'own_account');
      }
      let prior: PublicUser | null = null;
      await changeExisting(db, clock, existing(id, true), ifMatch, {
        async write(trx, before) {
          prior = before;
          await usersStore(trx).delete(id);
          await assertAnAdminRemains(usersStore(trx), before);
        },
        record: (before) => ({ actor, action: 'user.delete', target: { type: 'user', id }, before,
          event: { name: 'user.deleted', data: { userId: id, user: before } } }),
        afterCommit: () => changed(id, undefined, prior),
      });
    },

    /**
     * One action on many users, each its own audited change under the same rules as the single routes (not on
     * yourself, not the last active admin); a refusal is reported for its user and the others go on.
     */
    async bulk(input: BulkUsersInput, actor: Actor): Promise<BulkUsersResultType> {
      if ((input.ids === undefined) === (input.filter === undefined)) throw new ValidationError('ids', 'give either ids or filter, not both and not neither');
      if (input.action === 'setStatus' && !input.status) throw new ValidationError('status', 'is required by setStatus');
      if (input.action === 'setRole' && !input.role) throw new ValidationError('role', 'is required by setRole');
      if (input.until !== undefined && !(input.action === 'setStatus' && input.status === 'suspended')) {
        throw new ValidationError('until', 'is only for setStatus to suspended');
      }
      const until = input.until === undefined ? null : futureTime(input.until, clock.now());
      let ids = input.ids;
      if (!ids) {
        try {
          checkFilter(input.filter!);
        } catch (err) {
          const e = err instanceof ValidationError ? err.errors?.[0] : undefined;
          throw e ? new ValidationError(e.path.replace(/^query\./, 'filter.'), e.message) : err;
        }
        ids = [];
        // Read every matching id before changing any, so the changes cannot move the rows still to be read.
        for await (const rows of this.matching(input.filter!, 'id', 1000)) {
          for (const u of rows) ids.push(u.id);
          if (ids.length > BULK_MAX) throw new ValidationError('filter', `matches more than ${BULK_MAX} users; narrow it`);
        }
      }
      const results: BulkItemResultType[] = [];
      // The X-Audit-Reason header (the actor's reason) wins; the body's `reason` is the fallback for older clients.
      const reason = actor.reason ?? input.reason ?? null;
      const itemActor: Actor = { ...actor, reason };
      for (const id of ids) {
        try {
          if (isSelf(actor, id)) throw new ForbiddenError('You cannot act on your own account in bulk', 'own_account');
          if (input.action === 'delete') await this.delete(id, itemActor);
          else if (input.action === 'setRole') await this.update(id, { role: input.role }, itemActor);
          else {
            const suspend = input.status === 'suspended';
            await this.update(id, { status: input.status }, itemActor, undefined, suspend ? { patch: { suspended_reason: reason, suspended_until: until } } : {});
          }
          results.push({ id, ok: true });
        } catch (err) {
          if (!(err instanceof DomainError)) {
            ctx.log.error({ err, userId: id }, 'bulk user change failed');
            results.push({ id, ok: false, error: { code: 'internal_error' satisfies ProblemCode, detail: 'The server failed on this user; see its log' } });
          } else results.push({ id, ok: false, error: { code: err.code, detail: err.message } });
        }
      }
      const succeeded = results.filter((r) => r.ok).length;
      return { total: results.length, succeeded, failed: results.length - succeeded, results };
    },

    /** Suspends the user (ending its sessions), until `until` or until unsuspended. */
    async suspend(id: number, input: SuspendUserInput, actor: Actor): Promise<PublicUser> {
      if (isSelf(actor, id)) throw new ForbiddenError('You cannot suspend your own account', 'own_account');
      const until = input.until === undefined ? null : futureTime(input.until, clock.now());
      return this.update(id, { status: 'suspended' }, actor, undefined, {
        action: 'user.suspend',
        patch: { suspended_reason: input.reason, suspended_until: until },
      });
    },

    /** Lifts a suspension now; a user who is not suspended is answered as it is, and nothing is recorded. */
    async unsuspend(id: number, actor: Actor): Promise<PublicUser> {
      const user = await this.get(id);
      if (user.status !== 'suspended') return user;
      return this.update(id, { status: 'active' }, actor, undefined, { action: 'user.unsuspend' });
    },

    /**
     * The scheduler's part (maintenance/scheduler.ts): lifts suspensions whose `suspendedUntil` has come, as the
     * system. Each lift is a conditional UPDATE, so when several nodes run this at once each suspension is lifted,
     * audited and announced once. Returns how many this node lifted.
     */
    async runDueTransitions(): Promise<number> {
      const now = iso(clock);
      let lifted = 0;
      for (const id of await usersStore(db).dueSuspensions(now, 100)) {
        const lift = await inTransaction(db, async (trx) => {
          const store = usersStore(trx);
          const before = await store.findById(id);
          const user = before && (await store.liftEndedSuspension(id, now));
          if (!before || !user) return undefined;
          await recordChange(trx, clock, { at: now, actor: SYSTEM_ACTOR, action: 'user.unsuspend', target: { type: 'user', id }, before, after: user,
            event: { name: 'user.updated', data: { userId: id, user, changes: fieldChanges(before, user, false) } } });
          return { before, user };
        });
        if (lift) {
          lifted++;
          changed(id, lift.user, lift.before);
        }
      }
      return lifted;
    },

    /** Lifts the user's failed-login lockout on every node (its counters are keyed by the lockout epoch). */
    async unlock(id: number, actor: Actor): Promise<void> {
      await inTransaction(db, async (trx) => {
        const store = usersStore(trx);
        if (!(await store.findById(id))) throw notFound(id);
        await store.bumpLockoutEpoch(id);
        await recordChange(trx, clock, { actor, action: 'user.unlock', target: { type: 'user', id } });
      });
    },

    /**
     * Gives the user a new random password, returned this once and stored only hashed; ends its sessions and
     * lifts its login lockout. Not for your own account (change it with your current password instead).
     */
    async resetPassword(id: number, actor: Actor): Promise<{ temporaryPassword: string }> {
      if (isSelf(actor, id)) throw new ForbiddenError('Change your own password with your current one (POST /api/v1/auth/change-password)', 'own_account');
      const temporaryPassword = randomBytes(18).toString('base64url');
      const passwordHash = await hashPassword(temporaryPassword);
      const now = iso(clock);
      let prior: PublicUser | null = null;
      await changeExisting(db, clock, existing(id, false), undefined, {
        async write(trx, before) {
          prior = before;
          const store = usersStore(trx);
          const after = (await store.update(id, { password_hash: passwordHash, updated_at: now }))!;
          await store.bumpLockoutEpoch(id);
          await revokeAllRefreshTokens(trx, id, now);
          return after;
        },
        record: (before, after) => ({ at: now, actor, action: 'user.password_reset', target: { type: 'user', id }, before, after,
          event: { name: 'user.updated', data: { userId: id, user: after, changes: fieldChanges(before, after, true) } } }),
        afterCommit: (after) => {
          changed(id, after, prior);
          changes.publish('sessions', { userId: id, sessionId: undefined });
        },
      });
      return { temporaryPassword };
    },

    /** The user's live login sessions (never a token or its hash). */
    async sessions(id: number): Promise<SessionRow[]> {
      await this.get(id);
      return liveSessions(db, id, iso(clock));
    },

    /** Ends one login session of the user. */
    async revokeSession(id: number, sessionId: string, actor: Actor): Promise<void> {
      await this.get(id);
      await inTransaction(db, async (trx) => {
        const at = iso(clock);
        if (!(await revokeSession(trx, id, sessionId, at))) throw new NotFoundError(`Session ${sessionId} of user ${id}`, 'session_not_found');
        await recordChange(trx, clock, { at, actor, action: 'user.session_revoke', target: { type: 'user', id }, after: { sessionId } });
      });
      changes.publish('sessions', { userId: id, sessionId });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
