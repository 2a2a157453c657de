/**
 * Building blocks for a screen's URL search schema (src/screens/<screen>/search.ts). Every filter, sort and page lives
 * in the URL; an invalid value falls back to "not set" instead of failing the route (`z.catch`).
 *
 * Search schemas use `zod/mini` (the tree-shakable build of zod): they load with the route tree, before any screen,
 * and the initial JS stays in budget. Forms inside screens use the regular `zod` (loaded with the screen).
 */
import { z } from 'zod/mini';

/** An optional search value: the schema's value, or undefined when missing or invalid. */
export function optional<T extends z.ZodMiniType>(schema: T) {
  return z.catch(z.optional(schema), undefined);
}

/** `?page=2&limit=50`: the server's pagination (1-based page, limit ≤ 200). */
export const pageSearch = {
  page: optional(z.number().check(z.int(), z.minimum(1))),
  limit: optional(z.number().check(z.int(), z.minimum(1), z.maximum(200))),
};

/** `?q=text`: free-text search. */
export const textSearch = { q: optional(z.string().check(z.maxLength(200))) };

/** `?sort=-createdAt` (the server's convention: a field, `-` for descending) ↔ TanStack Table sorting (parseSort / formatSort). */
export const sortSearch = { sort: optional(z.string().check(z.regex(/^-?[A-Za-z_][\w.]*$/))) };

export interface SortState {
  id: string;
  desc: boolean;
}
export function parseSort(sort: string | undefined): SortState[] {
  if (!sort) return [];
  const desc = sort.startsWith('-');
  const id = desc ? sort.slice(1) : sort;
  return id ? [{ id, desc }] : [];
}
export function formatSort(sorting: SortState[]): string | undefined {
  const s = sorting[0];
  return s ? `${s.desc ? '-' : ''}${s.id}` : undefined;
}

export { z };
