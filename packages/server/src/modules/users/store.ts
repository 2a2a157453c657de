import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { likePattern } from '../../db/dialect.ts';
import { countRows, onePage, recordsById, type RowOf } from '../../db/records.ts';
import type { Database, UsersTable } from '../../db/schema.ts';
import type { Role } from '../../core/permissions.ts';
import type { ListUsersFilter, PublicUser, UserStatus } from './schemas.ts';

const PUBLIC_COLUMNS = [
  'id',
  'username',
  'email',
  'display_name',
  'role',
  'status',
  'last_login_at',
  'created_at',
  'updated_at',
] as const;

export function toPublicUser(r: RowOf<'users', typeof PUBLIC_COLUMNS>): PublicUser {
  return {
    id: Number(r.id),
    username: r.username,
    email: r.email,
    displayName: r.display_name,
    role: r.role as Role,
    status: r.status as UserStatus,
    lastLoginAt: r.last_login_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface Credentials {
  id: number;
  username: string;
  email: string;
  role: Role;
  status: UserStatus;
  passwordHash: string | null;
  /** Failed-login counters are keyed by it; bumping it unlocks the account. */
  lockoutEpoch: number;
}

const CREDENTIAL_COLUMNS = ['id', 'username', 'email', 'role', 'status', 'password_hash', 'lockout_epoch'] as const;

function toCredentials(r: Pick<UsersTable, 'username' | 'email' | 'role' | 'status' | 'password_hash'> & { id: number; lockout_epoch: number }): Credentials {
  return {
    id: Number(r.id),
    username: r.username,
    email: r.email,
    role: r.role as Role,
    status: r.status as UserStatus,
    passwordHash: r.password_hash,
    lockoutEpoch: Number(r.lockout_epoch),
  };
}

export type NewUserRow = Omit<UsersTable, 'id' | 'lockout_epoch'>;
export type UserPatchRow = Partial<Omit<UsersTable, 'id' | 'created_at' | 'lockout_epoch'>>;

const SORT_COLUMNS = {
  id: 'id',
  username: 'username',
  createdAt: 'created_at',
  lastLoginAt: 'last_login_at',
} as const;

/** Kysely queries for users; returns undefined for "not found" and leaves the decision to the service. */
export function usersStore(db: Kysely<Database>) {
  function filtered(f: Pick<ListUsersFilter, 'role' | 'status' | 'q'>) {
    let q = db.selectFrom('users') as SelectQueryBuilder<Database, 'users', object>;
    if (f.role) q = q.where('role', '=', f.role);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.q) {
      const like = likePattern(f.q.toLowerCase(), { prefix: '%', suffix: '%' });
      q = q.where((eb) => eb.or([eb(sql`lower(username)`, 'like', like), eb(sql`lower(email)`, 'like', like), eb(sql`lower(display_name)`, 'like', like)]));
    }
    return q;
  }
  const records = recordsById(db, 'users', PUBLIC_COLUMNS, toPublicUser);

  return {
    findById: records.findById,

    async findCredentials(login: string): Promise<Credentials | undefined> {
      const lower = login.toLowerCase();
      const r = await db
        .selectFrom('users')
        .select(CREDENTIAL_COLUMNS)
        .where((eb) => eb.or([eb(sql`lower(username)`, '=', lower), eb(sql`lower(email)`, '=', lower)]))
        .executeTakeFirst();
      return r && toCredentials(r);
    },

    async findCredentialsById(id: number): Promise<Credentials | undefined> {
      const r = await db
        .selectFrom('users')
        .select(CREDENTIAL_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && toCredentials(r);
    },

    async list(f: ListUsersFilter): Promise<PublicUser[]> {
      const sort = f.sort ?? 'id';
      const desc = sort.startsWith('-');
      const column = SORT_COLUMNS[(desc ? sort.slice(1) : sort) as keyof typeof SORT_COLUMNS];
      let q = filtered(f).select(PUBLIC_COLUMNS).orderBy(column, desc ? 'desc' : 'asc');
      if (column !== 'id') q = q.orderBy('id', desc ? 'desc' : 'asc');
      const rows = await onePage(q, f).execute();
      return rows.map(toPublicUser);
    },

    async count(f: Pick<ListUsersFilter, 'role' | 'status' | 'q'>): Promise<number> {
      return countRows(filtered(f));
    },

    async countAdmins(): Promise<number> {
      return this.count({ role: 'admin', status: 'active' });
    },

    /** Lifts the account's failed-login lockout on every node (the counters are keyed by the epoch). */
    async bumpLockoutEpoch(id: number): Promise<void> {
      await db
        .updateTable('users')
        .set({ lockout_epoch: sql<number>`lockout_epoch + 1` })
        .where('id', '=', id)
        .execute();
    },

    /** PostgreSQL only: locks the active admins' rows, in id order, until the transaction ends. */
    async lockActiveAdmins(): Promise<void> {
      await db.selectFrom('users').select('id').where('role', '=', 'admin').where('status', '=', 'active').orderBy('id').forUpdate().execute();
    },

    insert: (row: NewUserRow): Promise<PublicUser> => records.insert(row),
    update: (id: number, patch: UserPatchRow): Promise<PublicUser | undefined> => records.update(id, patch),
    delete: records.delete,
  };
}

export type UsersStore = ReturnType<typeof usersStore>;
