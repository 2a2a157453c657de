import { sql, type ColumnDefinitionBuilder, type RawBuilder } from 'kysely';
import { ConflictError, type UniqueField } from '../core/errors.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * `CASE column WHEN k THEN v … END` over integers the server computed (ids, positions), written as literals:
 * PostgreSQL cannot type bare parameters in a CASE's results. Never for values a caller sent.
 */
export function integerCase(column: string, pairs: readonly (readonly [number, number])[]): RawBuilder<number> {
  return sql<number>`case ${sql.ref(column)} ${sql.join(pairs.map(([k, v]) => sql`when ${sql.lit(k)} then ${sql.lit(v)}`), sql` `)} end`;
}

/** An auto-increment integer primary key on either dialect. */
export function idColumn(c: ColumnDefinitionBuilder, dialect: Dialect): ColumnDefinitionBuilder {
  return dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}

/**
 * The API field each unique index protects. PostgreSQL names the index; SQLite names the index for
 * expression indexes and `table.column, …` for column indexes, so both spellings are listed.
 */
const UNIQUE_FIELDS: Record<string, UniqueField> = {
  users_username_uq: 'username',
  users_email_uq: 'email',
  api_keys_key_hash_uq: 'key',
  game_worlds_world_id_uq: 'worldId',
  whitelist_entries_value_uq: 'value',
  'whitelist_entries.type, whitelist_entries.value': 'value',
  client_versions_version_uq: 'version',
  'client_versions.channel, client_versions.sub_channel, client_versions.version': 'version',
};

/** If the error is a unique-constraint violation, the API field that clashed; otherwise undefined. */
export function uniqueViolationField(err: unknown): UniqueField | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; constraint?: string; message?: string };
  let name: string | undefined;
  if (e.code === '23505') name = e.constraint;
  else if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /index '([^']+)'/.exec(e.message ?? '') ?? /constraint failed: (.+)$/.exec(e.message ?? '');
    name = m?.[1];
  } else return undefined;
  return (name ? UNIQUE_FIELDS[name] : undefined) ?? 'id';
}

/** Maps a unique-index violation to a 409 naming the field; rethrows anything else. */
export function rethrowConflict(err: unknown): never {
  const field = uniqueViolationField(err);
  if (field) throw new ConflictError(field, `${field} is already taken`);
  throw err;
}

/** A LIKE pattern matching `prefix` + `text` + `suffix` with the text's own % and _ taken literally. */
export function likePattern(text: string, { prefix = '', suffix = '' } = {}): RawBuilder<string> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<string>`${prefix + escaped + suffix} escape '\\'`;
}
