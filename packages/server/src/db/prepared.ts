import { CompiledQuery, sql, type Compilable, type Expression, type Kysely, type QueryResult, type SqlBool } from 'kysely';
import type { Dialect } from './dialect.ts';

/**
 * Splits rows into chunks whose sizes are powers of two (at most `max`, itself one): a multi-row statement then
 * comes in at most log2(max) + 1 shapes, so the statements kept (below, and SQLite's prepared statements) are a
 * few rather than one per batch size.
 */
export function powerOfTwoChunks<T>(rows: readonly T[], max: number): T[][] {
  const chunks: T[][] = [];
  let i = 0;
  while (i < rows.length) {
    let size = max;
    while (size > rows.length - i) size >>= 1;
    chunks.push(rows.slice(i, i + size));
    i += size;
  }
  return chunks;
}

/** The slots of idIn: 'ids' (the whole list, PostgreSQL) or the index of one id (SQLite). */
export type IdSlot = 'ids' | number;

/**
 * Splits ids for kept statements that match them with idIn: on PostgreSQL one list, matched by one array
 * parameter whatever its length; on SQLite power-of-two chunks of up to `max`, an IN list each. `key` names the
 * statement's shape, `value` gives each of its slots.
 */
export function idChunks(dialect: Dialect, ids: readonly number[], max: number): { ids: readonly number[]; key: string; value: (slot: IdSlot) => unknown }[] {
  const chunks = dialect === 'postgres' ? (ids.length > 0 ? [ids] : []) : powerOfTwoChunks(ids, max);
  return chunks.map((chunk) => ({ ids: chunk, key: dialect === 'postgres' ? 'any' : String(chunk.length), value: (slot) => (slot === 'ids' ? chunk : chunk[slot]) }));
}

/**
 * `column` is one of `ids` (a chunk of idChunks), in a kept statement: `= any($n)` on PostgreSQL — one statement
 * and one round trip for a recorder batch of 500 ids, where power-of-two IN lists took six; `in (…)` on SQLite.
 */
export function idIn(dialect: Dialect, column: string, ids: readonly number[], v: (slot: IdSlot) => never): Expression<SqlBool> {
  return dialect === 'postgres' ? sql<SqlBool>`${sql.ref(column)} = any(${v('ids')})` : sql<SqlBool>`${sql.ref(column)} in (${sql.join(ids.map((_, i) => v(i)))})`;
}

/** A statement compiled once: its SQL and, for each of its parameters, the slot its value comes from. */
interface Kept<S> {
  compiled: CompiledQuery;
  slots: S[];
}

const kept = new Map<string, Kept<unknown>>();
const SENTINEL = '\u0000gatrix-slot:';

/**
 * Runs a query that Kysely builds and compiles once per dialect and `key`, then only fills in: Kysely builds its
 * operation tree and the SQL text again on every execution, which for the delivery worker's multi-row statements
 * (up to 256 rows of 15 columns) cost more CPU than the database's own work. `build(v)` writes the query with
 * `v(slot)` where each value goes (every value must be one: a value written in directly would be compiled in for
 * good, so it is refused); each run takes the value of each slot from `value(slot)`. The key names the shape: one
 * key, one query text (chunk sizes and the like belong in it).
 */
export function runKept<S, R = Record<string, unknown>>(
  db: Kysely<never>,
  dialect: Dialect,
  key: string,
  build: (v: (slot: S) => never) => Compilable<R>,
  value: (slot: S) => unknown,
): Promise<QueryResult<R>> {
  const k = `${dialect}:${key}`;
  let stmt = kept.get(k) as Kept<S> | undefined;
  if (!stmt) {
    const bySentinel = new Map<string, S>();
    const compiled = build((slot) => {
      const sentinel = `${SENTINEL}${bySentinel.size}`;
      bySentinel.set(sentinel, slot);
      return sentinel as never;
    }).compile();
    const slots = compiled.parameters.map((p) => {
      const slot = typeof p === 'string' ? bySentinel.get(p) : undefined;
      if (slot === undefined) throw new Error(`kept statement ${key}: parameter ${String(p)} is not a slot`);
      return slot;
    });
    stmt = { compiled, slots };
    kept.set(k, stmt as Kept<unknown>);
  }
  return db.executeQuery<R>({ ...stmt.compiled, parameters: stmt.slots.map(value) } as CompiledQuery<R>);
}

/** Rows per PostgreSQL statement of insertRowsKept: its one JSON parameter stays around a megabyte. */
const JSON_ROWS_PER_INSERT = 1000;
const jsonInserts = new Map<string, string>();

/**
 * Inserts `rows` (each with `columns`); `conflict` columns: ON CONFLICT DO NOTHING. On SQLite, kept multi-row
 * statements in chunks of up to `max` rows. On PostgreSQL, one statement whose single parameter is the rows as
 * JSON, turned into rows of the table's own type by `json_populate_recordset`: a multi-row VALUES of 256 rows × 15
 * columns cost PostgreSQL ~72 µs of CPU per row, most of it parsing and planning 3,840 parameters, against ~20 µs
 * this way (bench/webhook-store-cost.ts shows the fan-out step). The values must be what JSON carries for the
 * columns (strings, numbers, null), which every caller's rows are.
 */
export async function insertRowsKept<Row extends Record<string, unknown>>(
  db: Kysely<never>,
  dialect: Dialect,
  table: string,
  columns: readonly (keyof Row & string)[],
  rows: Row[],
  { max, conflict }: { max: number; conflict?: readonly string[] },
): Promise<void> {
  if (dialect === 'postgres') {
    const key = `${table} ${columns.join(',')} ${conflict?.join(',') ?? ''}`;
    let text = jsonInserts.get(key);
    if (!text) {
      const list = columns.map((c) => `"${c}"`).join(', ');
      text = `insert into "${table}" (${list}) select ${list} from json_populate_recordset(null::"${table}", $1)`;
      if (conflict) text += ` on conflict (${conflict.map((c) => `"${c}"`).join(', ')}) do nothing`;
      jsonInserts.set(key, text);
    }
    for (let i = 0; i < rows.length; i += JSON_ROWS_PER_INSERT) {
      // Keys other than `columns` are not selected: the rows go as they are.
      await db.executeQuery(CompiledQuery.raw(text, [JSON.stringify(rows.slice(i, i + JSON_ROWS_PER_INSERT))]));
    }
    return;
  }
  for (const chunk of powerOfTwoChunks(rows, max)) {
    await runKept<readonly [number, string]>(
      db,
      dialect,
      `insert ${table} ${columns.join(',')} ${conflict?.join(',') ?? ''} × ${chunk.length}`,
      (v) => {
        const q = (db as unknown as Kysely<Record<string, Record<string, unknown>>>)
          .insertInto(table)
          .values(chunk.map((_, i) => Object.fromEntries(columns.map((c) => [c, v([i, c])]))));
        return conflict ? q.onConflict((oc) => oc.columns(conflict as never).doNothing()) : q;
      },
      ([i, c]) => chunk[i][c],
    );
  }
}
