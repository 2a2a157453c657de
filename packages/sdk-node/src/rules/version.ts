/**
 * Compares dotted versions (digits and dots) numerically per segment, a missing segment counting as 0 and
 * leading zeros not counting: `1.9 < 1.10`, `1.2 == 1.2.0`, `1.0041 == 1.41`. Segments are compared as digit
 * strings, so a segment of any length compares exactly. Returns <0, 0 or >0 like a sort() comparator.
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
