import { apiFetchRaw } from '../api/fetcher.ts';
import { problemFrom } from '../api/errors.ts';

/**
 * Downloads a CSV the server streams (e.g. `/api/v1/users/export?…`): fetched with the bearer token (a plain link
 * would carry no credentials), then saved under the server's file name (Content-Disposition) or `fallbackName`.
 * Throws ApiError when the server refuses.
 */
export async function downloadCsv(url: string, fallbackName = 'export.csv', options: { signal?: AbortSignal; reason?: string } = {}): Promise<void> {
  const response = await apiFetchRaw(url, { method: 'GET', signal: options.signal, headers: { Accept: 'text/csv' } }, { reason: options.reason });
  if (!response.ok) throw await problemFrom(response);
  const blob = await response.blob();
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
