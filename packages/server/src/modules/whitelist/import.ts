/**
 * The whitelist import: a text of lines, one entry each, checked line by line before anything is written.
 *
 * Line format: `<value>` optionally followed by a description after `#` or after the first `,`:
 *
 *   203.0.113.0/24  # QA office
 *   player-42, tester account
 *   account:10.0.0.1          (the prefix `account:` makes a value that looks like an IP an account id)
 *
 * A value with `:` or `/`, or four dot-separated numbers, is an IP address or CIDR (IPv4 or IPv6); anything else
 * is an account id. Blank lines and lines starting with `#` are skipped.
 */
import { ValidationError } from '../../core/errors.ts';
import { networkBits, parseIpRule } from '../../core/rules.ts';
import type { WhitelistType } from './schemas.ts';
import { whitelistValue } from './service.ts';

export const IMPORT_MAX_LINES = 10_000;
const MEMO_MAX = 500;

export interface ImportLine {
  /** 1-based line number in the text. */
  line: number;
  input: string;
  ok: boolean;
  /** What would be (or was) stored. */
  entry?: { type: WhitelistType; value: string; memo: string | null };
  /** `create`: a new entry; `skip`: the same value is already whitelisted or appears on an earlier line. */
  action?: 'create' | 'skip';
  error?: { field: string; detail: string };
  warnings?: string[];
}

export interface ExistingEntry {
  id: number;
  type: string;
  value: string;
}

const looksLikeIp = (v: string) => v.includes(':') || v.includes('/') || /^\d{1,3}(\.\d{1,3}){3}$/.test(v);

/** Splits a line into its value and its description (undefined when none). */
function split(text: string): { value: string; memo: string | undefined } {
  let rest = text;
  let memo: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    memo = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const comma = rest.indexOf(',');
  if (comma >= 0) {
    memo = memo === undefined ? rest.slice(comma + 1) : `${rest.slice(comma + 1).trim()} ${memo.trim()}`;
    rest = rest.slice(0, comma);
  }
  memo = memo?.trim();
  return { value: rest.trim(), memo: memo === '' ? undefined : memo };
}

/**
 * Checks every line against the rules of a single create (the same value checks), the other lines and the
 * existing entries. Duplicates of an earlier line or of an existing entry are skipped with a warning; an IP
 * network overlapping an existing entry or an earlier line, and a CIDR whose host bits were cleared, are
 * created with a warning.
 */
export function planImport(text: string, existing: readonly ExistingEntry[], defaultMemo: string | null): ImportLine[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > IMPORT_MAX_LINES) throw new ValidationError('text', `must have at most ${IMPORT_MAX_LINES} lines, got ${lines.length}`);

  const byValue = new Map<string, string>(); // `${type} ${value}` → the warning a repeat gets
  // Every IP network, existing (order -1) or from a line (order = line): the sorted bits find what a network holds.
  const networks: { bits: string; owner: string; order: number }[] = [];
  for (const e of existing) {
    byValue.set(`${e.type} ${e.value}`, `already exists as entry #${e.id}`);
    const rule = e.type === 'ip' ? parseIpRule(e.value) : undefined;
    if (rule) networks.push({ bits: networkBits(rule), owner: `entry #${e.id}`, order: -1 });
  }

  const results: ImportLine[] = [];
  const created: { result: ImportLine; bits: string }[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const input = raw.trim();
    if (input === '' || input.startsWith('#')) return;
    const { value: rawValue, memo: lineMemo } = split(input);
    const memo = lineMemo ?? defaultMemo;
    const fail = (field: string, detail: string) => results.push({ line, input, ok: false, error: { field, detail } });
    if (memo !== null && memo.length > MEMO_MAX) return fail('memo', `must be at most ${MEMO_MAX} characters`);
    const forcedAccount = rawValue.startsWith('account:');
    const type: WhitelistType = !forcedAccount && looksLikeIp(rawValue) ? 'ip' : 'account';
    const given = forcedAccount ? rawValue.slice('account:'.length).trim() : rawValue;
    let value: string;
    try {
      value = whitelistValue(type, given);
    } catch (err) {
      return fail('value', err instanceof ValidationError ? (err.errors?.[0]?.message ?? err.message) : String(err));
    }
    const key = `${type} ${value}`;
    const seen = byValue.get(key);
    if (seen) {
      results.push({ line, input, ok: true, entry: { type, value, memo }, action: 'skip', warnings: [seen] });
      return;
    }
    byValue.set(key, `duplicate of line ${line}`);
    const result: ImportLine = { line, input, ok: true, entry: { type, value, memo }, action: 'create' };
    if (type === 'ip' && value !== given) result.warnings = [`normalized from ${given}`];
    results.push(result);
    if (type === 'ip') {
      const bits = networkBits(parseIpRule(value)!);
      networks.push({ bits, owner: `line ${line}`, order: line });
      created.push({ result, bits });
    }
  });

  // Overlaps: a network that holds this one (one of its prefixes), or one this one holds, existing or on an
  // earlier line (a pair of lines is reported once, on the later line).
  if (created.length > 0 && networks.length > 1) {
    const holders = new Map<string, { owner: string; order: number }>();
    for (const n of networks) if (!holders.has(n.bits) || n.order < holders.get(n.bits)!.order) holders.set(n.bits, n);
    const sorted = [...networks].sort((a, b) => (a.bits < b.bits ? -1 : a.bits > b.bits ? 1 : 0));
    for (const { result, bits } of created) {
      let found: string | undefined;
      for (let n = bits.length - 1; n >= 2 && !found; n--) {
        const h = holders.get(bits.slice(0, n));
        if (h && h.order < result.line) found = h.owner;
      }
      if (!found) {
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (sorted[mid].bits <= bits) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < sorted.length && sorted[i].bits.startsWith(bits); i++) {
          if (sorted[i].order < result.line) {
            found = sorted[i].owner;
            break;
          }
        }
      }
      if (found) (result.warnings ??= []).push(`overlaps ${found} (CIDR)`);
    }
  }
  return results;
}
