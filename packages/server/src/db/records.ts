import type { Generated, Insertable, Kysely, Selectable, SelectQueryBuilder, Updateable } from 'kysely';
import type { Database } from './schema.ts';

/** Which page of a list, counted from 1, and how many rows a page holds. */
export interface Paging {
  page: number;
  limit: number;
}

/** The rows of page `page` of the query, in the order the query sets. */
export function onePage<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, { page, limit }: Paging): SelectQueryBuilder<DB, TB, O> {
  return q.limit(limit).offset((page - 1) * limit);
}

/** The count (`n`) of the rows a filtered query (nothing selected yet) matches, as a query to run or to nest. */
export function countQuery<DB, TB extends keyof DB>(q: SelectQueryBuilder<DB, TB, object>) {
  return q.select((eb) => eb.fn.countAll<number | string>().as('n'));
}

/** How many rows a filtered query (nothing selected yet) matches. */
export async function countRows<DB, TB extends keyof DB>(q: SelectQueryBuilder<DB, TB, object>): Promise<number> {
  const r = (await countQuery(q).executeTakeFirstOrThrow()) as { n: number | string };
  return Number(r.n);
}

/** The tables keyed by an auto-increment integer `id`. */
type IdTable = { [T in keyof Database]: Database[T] extends { id: Generated<number> } ? T : never }[keyof Database];

/** A row of table T as read through `columns`. */
export type RowOf<T extends keyof Database, C extends readonly (keyof Selectable<Database[T]>)[]> = Pick<Selectable<Database[T]>, C[number]>;

/** A new row of table T: the database generates its id. */
export type NewRow<T extends IdTable> = Omit<Database[T], 'id'>;

/** A change to a row of table T: any columns but its id and when it was created. */
export type RowPatch<T extends IdTable> = Partial<Omit<Database[T], 'id' | 'created_at'>>;

/** The database without its table types: the queries below are typed where they take and give values instead. */
type Untyped = Kysely<Record<string, Record<string, unknown>>>;

/**
 * Find, insert, update and delete by id for a table whose rows are read through `columns` and answered as
 * `toRecord` makes them: undefined or false for "not found", the decision left to the caller.
 */
export function recordsById<T extends IdTable, C extends keyof Selectable<Database[T]> & string, R>(
  db: Kysely<Database>,
  table: T,
  columns: readonly C[],
  toRecord: (row: Pick<Selectable<Database[T]>, C>) => R,
) {
  const q = db as unknown as Untyped;
  const name: string = table;
  const read = (r: unknown): R => toRecord(r as Pick<Selectable<Database[T]>, C>);
  return {
    async findById(id: number): Promise<R | undefined> {
      const r = await q.selectFrom(name).select(columns).where('id', '=', id).executeTakeFirst();
      return r && read(r);
    },

    async insert(row: Insertable<Database[T]>): Promise<R> {
      return read(await q.insertInto(name).values(row).returning(columns).executeTakeFirstOrThrow());
    },

    async update(id: number, patch: Updateable<Database[T]>): Promise<R | undefined> {
      const r = await q.updateTable(name).set(patch).where('id', '=', id).returning(columns).executeTakeFirst();
      return r && read(r);
    },

    async delete(id: number): Promise<boolean> {
      const r = await q.deleteFrom(name).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}

/**
 * Runs `batch` (which deletes up to a batch of rows and says how many) until it deletes none, letting other work
 * run between batches; returns the total. Retention jobs use it.
 */
export async function deleteInBatches(batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await batch();
    if (n === 0) return total;
    total += n;
    await new Promise((r) => setImmediate(r));
  }
}
