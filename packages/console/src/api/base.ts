/**
 * Where the API is: the page's own origin (the server serves the console), so paths stay relative. Tests and tools
 * running outside a browser set an absolute origin with `setApiBase('http://127.0.0.1:3000')`.
 */
let base = '';

export function setApiBase(origin: string): void {
  base = origin.replace(/\/+$/, '');
}
export function apiUrl(path: string): string {
  return base + path;
}
