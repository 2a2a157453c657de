import { iso } from '../../core/clock.ts';
import type { AppContext } from '../../context.ts';
import type { Db } from '../../db/index.ts';
import { TtlCache } from '../../core/ttl-cache.ts';
import { isoOrNull, patchFrom } from '../../db/columns.ts';
import { rethrowConflict } from '../../db/dialect.ts';
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ChangeFeed } from '../../events/changes.ts';
import { changeExisting, createNew } from '../../events/record.ts';
import { assertPasswordAllowed } from '../../core/password-policy.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { revokeAllRefreshTokens } from './sessions-store.ts';
import type { CreateUserInput, ListUsersFilter, PublicUser, UpdateUserInput } from './schemas.ts';
import { usersStore, type UserPatchRow } from './store.ts';
import { type Actor } from '../../core/permissions.ts';
import { page, type Page } from '../../core/paging.ts';

const CHANGE_FIELDS = ['username', 'email', 'displayName', 'role', 'status', 'lastLoginAt'] as const;

/** What an update changed, for its event: each field that differs, and the password (redacted) when it was set. */
function fieldChanges(before: PublicUser, after: PublicUser, passwordSet: boolean): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of CHANGE_FIELDS) {
    if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  }
  if (passwordSet) changes.password = { from: '[REDACTED]', to: '[REDACTED]' };
  return changes;
}

const notFound = (id: number) => new NotFoundError(`User ${id}`, 'user_not_found');

declare module '../../events/changes.ts' {
  interface ChangeTopics {
    /** A user's row changed (undefined: deleted): cached pages and totals, credentials, open sockets. */
    users: { userId: number; user: PublicUser | undefined };
  }
}

export function createUsersService(ctx: AppContext, changes: ChangeFeed) {
  const { db, clock, dialect } = ctx;
  const counts = new TtlCache<number>();
  const pages = new TtlCache<Page<PublicUser>>();
  const changed = (userId: number, user: PublicUser | undefined) => changes.publish('users', { userId, user });

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

  return {
    /** Users changed (here or on another node): drop cached pages and totals. */
    forgetCached(): void {
      counts.clear();
      pages.clear();
    },

    /** A cached page is the same object on every hit, so the route can keep its serialized body with it. */
    list(filter: ListUsersFilter): Promise<Page<PublicUser>> {
      const key = JSON.stringify([filter.role, filter.status, filter.q]);
      return pages.get(JSON.stringify([key, filter.sort, filter.page, filter.limit]), async () => {
        const store = usersStore(db);
        const [data, total] = await Promise.all([store.list(filter), counts.get(key, () => store.count(filter))]);
        return page(data, filter.page, filter.limit, total);
      });
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
        afterCommit: (created) => changed(created.id, created),
      });
    },

    async update(id: number, input: UpdateUserInput, actor: Actor, ifMatch?: string): Promise<PublicUser> {
      if (input.password) await assertNewPassword(id, input.password, input);
      const passwordHash = input.password ? await hashPassword(input.password) : undefined;
      const now = iso(clock);
      const mayRemoveAdmin = input.role !== undefined || input.status !== undefined;
      return changeExisting(db, clock, existing(id, mayRemoveAdmin), ifMatch, {
        async write(trx, before) {
          if (actor.principal?.kind === 'user' && actor.principal.userId === id && input.role && input.role !== before.role) {
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
            updated_at: now,
          };
          if (passwordHash) patch.password_hash = passwordHash;
          const store = usersStore(trx);
          const after = (await store.update(id, patch).catch(rethrowConflict))!;
          await assertAnAdminRemains(store, before, after);
          if (after.status === 'suspended' || after.role !== before.role || passwordHash) await revokeAllRefreshTokens(trx, id, now);
          return after;
        },
        record: (before, after) => ({ at: now, actor, action: 'user.update', target: { type: 'user', id }, before, after,
          event: { name: 'user.updated', data: { userId: id, user: after, changes: fieldChanges(before, after, passwordHash !== undefined) } } }),
        afterCommit: (after) => changed(id, after),
      });
    },

    async delete(id: number, actor: Actor, ifMatch?: string): Promise<void> {
      if (actor.principal?.kind === 'user' && actor.principal.userId === id) {
        throw new ForbiddenError('You cannot delete your own account', 'own_account');
      }
      await changeExisting(db, clock, existing(id, true), ifMatch, {
        async write(trx, before) {
          await usersStore(trx).delete(id);
          await assertAnAdminRemains(usersStore(trx), before);
        },
        record: (before) => ({ actor, action: 'user.delete', target: { type: 'user', id }, before,
          event: { name: 'user.deleted', data: { userId: id, user: before } } }),
        afterCommit: () => changed(id, undefined),
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
