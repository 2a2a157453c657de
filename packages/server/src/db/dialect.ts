import { sql, type ColumnDefinitionBuilder, type RawBuilder } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

/** An auto-increment integer primary key on either dialect. */
export function idColumn(c: ColumnDefinitionBuilder, dialect: Dialect): ColumnDefinitionBuilder {
  return dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();
}

/**
 * If the error is a unique-constraint violation, the name of the clashing field, read from our index names
 * (`<table>_<field>_uq`); otherwise undefined.
 */
export function uniqueViolationField(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; constraint?: string; message?: string };
  let name: string | undefined;
  if (e.code === '23505') name = e.constraint;
  else if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /index '([^']+)'/.exec(e.message ?? '') ?? /failed: \w+\.(\w+)/.exec(e.message ?? '');
    name = m?.[1];
  } else return undefined;
  if (name === undefined) return 'id';
  const m = /^[a-z]+(?:_[a-z]+)*?_([a-z]+(?:_[a-z]+)*)_uq$/.exec(name);
  return m ? m[1] : name;
}

/** A LIKE pattern matching `prefix` + `text` + `suffix` with the text's own % and _ taken literally. */
export function likePattern(text: string, { prefix = '', suffix = '' } = {}): RawBuilder<string> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<string>`${prefix + escaped + suffix} escape '\\'`;
}
