/**
 * The whitelist paste box, checked as the operator types: each line parsed and normalised the way the server's
 * import does (docs/client-api.md "Importing"), duplicates and CIDR overlaps found within the paste and against
 * the existing entries. The server's dry run stays the authority; this gives instant feedback.
 *
 * Line format: `<value>` then optionally `# description` or `, description`. A value with `:` or `/`, or four
 * dot-separated numbers, is an IP address or CIDR; anything else an account id; `account:` forces an account id.
 * Blank lines and lines starting with `#` are skipped.
 */

export type EntryType = 'account' | 'ip';
export type Family = 'ipv4' | 'ipv6';

export interface IpRule {
  family: Family;
  /** The network's bytes (host bits cleared): 4 or 16. */
  bytes: number[];
  prefix: number;
}

const ACCOUNT_MAX = 128;
const MEMO_MAX = 500;
const FULL: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  let groups: number[];
  const halves = text.split('::');
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = ipv4Bytes(item);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return undefined;
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  } else groups = head;
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** An IPv4/IPv6 address or CIDR, its host bits cleared; undefined when malformed. */
export function parseIpRule(text: string): IpRule | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = address.includes(':') ? undefined : ipv4Bytes(address);
  const raw = v4 ?? (address.includes(':') ? ipv6Bytes(address) : undefined);
  if (!raw) return undefined;
  const family: Family = v4 ? 'ipv4' : 'ipv6';
  if (prefixText !== undefined && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? FULL[family] : Number(prefixText);
  if (prefix > FULL[family]) return undefined;
  const bytes = raw.map((b, i) => {
    const keep = prefix - 8 * i;
    return keep >= 8 ? b : keep <= 0 ? 0 : b & (0xff << (8 - keep)) & 0xff;
  });
  return { family, bytes, prefix };
}

/** RFC 5952 text of 16 bytes: lowercase, the longest run (≥ 2) of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
function formatV6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i] << 8) | bytes[2 * i + 1]);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${bytes.slice(12).join('.')}`;
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** The canonical spelling the server stores: `10.1.2.3/8` → `10.0.0.0/8`, `10.0.0.1/32` → `10.0.0.1`. */
export function formatIpRule(rule: IpRule): string {
  const address = rule.family === 'ipv4' ? rule.bytes.join('.') : formatV6(rule.bytes);
  return rule.prefix === FULL[rule.family] ? address : `${address}/${rule.prefix}`;
}

export function normalizeIp(text: string): string | undefined {
  const rule = parseIpRule(text.trim());
  return rule ? formatIpRule(rule) : undefined;
}

/** Whether network `outer` holds `inner` (same family, shorter or equal prefix, same leading bits). */
export function ipContains(outer: IpRule, inner: IpRule): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  for (let bit = 0; bit < outer.prefix; bit++) {
    const mask = 0x80 >> bit % 8;
    if ((outer.bytes[bit >> 3] & mask) !== (inner.bytes[bit >> 3] & mask)) return false;
  }
  return true;
}

export const looksLikeIp = (v: string): boolean => v.includes(':') || v.includes('/') || /^\d{1,3}(\.\d{1,3}){3}$/.test(v);

/** A problem or a note about one line; `key` is an i18n key of the whitelist namespace, `values` its parameters. */
export interface LineNote {
  key: 'invalidIp' | 'invalidAccount' | 'memoTooLong' | 'normalized' | 'duplicateLine' | 'exists' | 'overlapsLine' | 'overlapsEntry';
  values?: Record<string, string | number>;
}

export interface CheckedLine {
  /** 1-based line number in the text. */
  line: number;
  input: string;
  type?: EntryType;
  /** The normalised value (what would be stored). */
  value?: string;
  memo?: string;
  error?: LineNote;
  /** Duplicates (skipped on import), normalisation and overlaps (created anyway). */
  warnings: LineNote[];
  /** Already whitelisted or a repeat of an earlier line: nothing to write. */
  skip: boolean;
}

export interface ExistingEntry {
  id: number;
  type: string;
  value: string;
}

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

/** Parses and checks every line of `text` against the others and the `existing` entries. */
export function checkLines(text: string, existing: readonly ExistingEntry[]): CheckedLine[] {
  const seen = new Map<string, LineNote>();
  const networks: { rule: IpRule; note: LineNote }[] = [];
  for (const e of existing) {
    const note: LineNote = { key: 'exists', values: { id: e.id } };
    seen.set(`${e.type} ${e.value}`, note);
    const rule = e.type === 'ip' ? parseIpRule(e.value) : undefined;
    if (rule) networks.push({ rule, note: { key: 'overlapsEntry', values: { id: e.id, value: e.value } } });
  }
  const out: CheckedLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const input = raw.trim();
    if (input === '' || input.startsWith('#')) return;
    const { value: given, memo } = split(input);
    const result: CheckedLine = { line, input, memo, warnings: [], skip: false };
    out.push(result);
    if (memo !== undefined && memo.length > MEMO_MAX) {
      result.error = { key: 'memoTooLong', values: { max: MEMO_MAX } };
      return;
    }
    const forced = given.startsWith('account:');
    const type: EntryType = !forced && looksLikeIp(given) ? 'ip' : 'account';
    const text = forced ? given.slice('account:'.length).trim() : given;
    result.type = type;
    let rule: IpRule | undefined;
    if (type === 'ip') {
      rule = parseIpRule(text);
      if (!rule) {
        result.error = { key: 'invalidIp' };
        return;
      }
      result.value = formatIpRule(rule);
      if (result.value !== text) result.warnings.push({ key: 'normalized', values: { from: text } });
    } else {
      if (text.length === 0 || text.length > ACCOUNT_MAX || /\s/.test(text)) {
        result.error = { key: 'invalidAccount', values: { max: ACCOUNT_MAX } };
        return;
      }
      result.value = text;
    }
    const key = `${type} ${result.value}`;
    const before = seen.get(key);
    if (before) {
      result.warnings.push(before);
      result.skip = true;
      return;
    }
    seen.set(key, { key: 'duplicateLine', values: { line } });
    if (rule) {
      const holder = networks.find((n) => ipContains(n.rule, rule) || ipContains(rule, n.rule));
      if (holder) result.warnings.push(holder.note);
      networks.push({ rule, note: { key: 'overlapsLine', values: { line, value: result.value } } });
    }
  });
  return out;
}

/** The text with line `line` (1-based) replaced by `replacement`. */
export function replaceLine(text: string, line: number, replacement: string): string {
  const lines = text.split(/\r?\n/);
  if (line >= 1 && line <= lines.length) lines[line - 1] = replacement;
  return lines.join('\n');
}

/** A note of the server's import answer (its English warning or error text) as a translatable note; undefined when unknown. */
export function serverNote(text: string): LineNote | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^normalized from (.+)$/.exec(text))) return { key: 'normalized', values: { from: m[1] } };
  if ((m = /^already exists as entry #(\d+)$/.exec(text))) return { key: 'exists', values: { id: Number(m[1]) } };
  if ((m = /^duplicate of line (\d+)$/.exec(text))) return { key: 'duplicateLine', values: { line: Number(m[1]) } };
  if ((m = /^overlaps entry #(\d+) \(CIDR\)$/.exec(text))) return { key: 'overlapsEntry', values: { id: Number(m[1]) } };
  if ((m = /^overlaps line (\d+) \(CIDR\)$/.exec(text))) return { key: 'overlapsLine', values: { line: Number(m[1]) } };
  if (/IPv4 or IPv6/.test(text)) return { key: 'invalidIp' };
  if (/account id/.test(text)) return { key: 'invalidAccount', values: { max: ACCOUNT_MAX } };
  if (/at most \d+ characters/.test(text)) return { key: 'memoTooLong', values: { max: MEMO_MAX } };
  return undefined;
}
