import { lookupCache } from '../../core/lookup-cache.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { maskedHeaders, openHeaders } from './headers.ts';
import { checkWebhookUrl, type SsrfOptions } from './ssrf.ts';
import type { WebhookRow } from './store.ts';

const USER_AGENT = 'Gatrix-Webhooks/1.0 (+https://github.com/motifgames/gatrix)';
/** Sent with every attempt, after the endpoint's own headers. */
const FIXED_HEADERS = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
/** How long an endpoint's row (and what was prepared from it) is reused. */
const CACHE_MS = 5000;

/** What every attempt to one endpoint needs: its checked URL (or why nothing can be sent to it), headers and open secrets. */
export interface Prepared {
  url: URL | string;
  /** The endpoint's own headers, then content-type and user-agent. */
  headers: Record<string, string>;
  /** The same, as attempt logs show them: the endpoint's own header values masked. */
  shownHeaders: Record<string, string>;
  secret: string;
  /** The secret before the last rotation, signing too until `until` (absent when it cannot be decrypted). */
  previous?: { secret: string; until: string };
}

/** Checks an endpoint's URL and opens its secrets and header values. */
function prepare(w: WebhookRow, box: SecretBox, ssrf: SsrfOptions): Prepared {
  let url: URL | string;
  try {
    // The lookup guards names at connect time; a literal IP never reaches it, so check the URL too.
    url = checkWebhookUrl(w.url, ssrf);
  } catch (err) {
    url = (err as Error).message;
  }
  // A secret sealed with another encryption key cannot sign: without the current one nothing is sent (rotating
  // the secret mends the endpoint); without the previous one, the current one signs alone.
  const secret = box.tryOpen(w.secret_enc);
  if (secret === undefined) url = "the endpoint's secret cannot be decrypted with this GATRIX_ENCRYPTION_KEY; rotate its secret";
  const previous = w.previous_secret_enc && w.previous_secret_expires_at ? box.tryOpen(w.previous_secret_enc) : undefined;
  const headers = openHeaders(box, w.headers);
  if (headers === undefined) url = "the endpoint's header values cannot be decrypted with this GATRIX_ENCRYPTION_KEY; set them again";
  return {
    url,
    headers: { ...headers, ...FIXED_HEADERS },
    shownHeaders: { ...maskedHeaders(w.headers), ...FIXED_HEADERS },
    secret: secret ?? '',
    previous: previous === undefined ? undefined : { secret: previous, until: w.previous_secret_expires_at! },
  };
}

/**
 * Active endpoints as the worker sends to them, each read (and prepared) at most once per CACHE_MS: the attempts
 * of a claimed batch that find an endpoint's entry run out share one read, and an endpoint forgotten (changed,
 * disabled) while it is read is read again by the next attempt (core/lookup-cache.ts).
 */
export function createEndpointCache(deps: { find: (id: number) => Promise<WebhookRow | undefined>; box: SecretBox; ssrf: SsrfOptions }) {
  const hooks = lookupCache<number, { row: WebhookRow | undefined; prepared?: Prepared }>({
    ttlMs: CACHE_MS,
    max: 10_000,
    load: async (id) => ({ row: await deps.find(id) }),
  });
  return {
    /** An active endpoint's row with what every attempt needs from it; undefined when it is disabled or deleted. */
    async get(id: number): Promise<Prepared | undefined> {
      const hit = await hooks.get(id);
      const w = hit.row;
      if (!w || !w.active) return undefined;
      hit.prepared ??= prepare(w, deps.box, deps.ssrf);
      return hit.prepared;
    },
    forget(id: number): void {
      hooks.forget(id);
    },
    clear(): void {
      hooks.forget();
    },
  };
}

export type EndpointCache = ReturnType<typeof createEndpointCache>;
