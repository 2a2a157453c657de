/**
 * Compares dotted versions numerically per segment, as the server orders and checks them: `1.9 < 1.10`,
 * `1.2 == 1.2.0`, leading zeros not counting. <0, 0 or >0 like a sort() comparator.
 */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const s = (x[i] ?? '0').replace(/^0+(?=.)/, '');
    const t = (y[i] ?? '0').replace(/^0+(?=.)/, '');
    if (s.length !== t.length) return s.length - t.length;
    if (s !== t) return s < t ? -1 : 1;
  }
  return 0;
}

/** The server's VERSION_PATTERN: digits, up to six dot-separated segments. */
export const VERSION_RE = /^[0-9]+(\.[0-9]+){0,5}$/;
/** The server's channel and sub-channel pattern. */
export const CHANNEL_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
