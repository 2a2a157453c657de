import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secretBox } from '../src/core/secret-box.ts';
import { createEndpointCache } from '../src/modules/webhooks/endpoint-cache.ts';
import type { WebhookRow } from '../src/modules/webhooks/store.ts';

const box = secretBox(Buffer.alloc(32, 7));
const at = '2026-12-02T00:00:00.000Z';
const row = (active: number): WebhookRow => ({
  id: 1,
  url: 'https://hooks.example.com/in',
  events: '["*"]',
  secret_enc: box.seal('whsec_endpoint-cache'),
  previous_secret_enc: null,
  previous_secret_expires_at: null,
  active,
  description: null,
  headers: '{}',
  disabled_reason: null,
  failing_since: null,
  created_at: at,
  updated_at: at,
});

/** The endpoint's reads, answered when the test says (as a busy database would). */
function reads() {
  const pending: ((r: WebhookRow | undefined) => void)[] = [];
  return { pending, find: (_id: number) => new Promise<WebhookRow | undefined>((resolve) => pending.push(resolve)) };
}

describe('webhook endpoint cache', () => {
  it("the attempts of a batch that find an endpoint's entry missing share one read and one prepared secret", async () => {
    const r = reads();
    const cache = createEndpointCache({ find: r.find, box, ssrf: { allowPrivateNetworks: false } });
    const attempts = Array.from({ length: 64 }, () => cache.get(1));
    assert.equal(r.pending.length, 1);
    r.pending[0](row(1));
    const prepared = await Promise.all(attempts);
    assert.ok(prepared.every((p) => p === prepared[0]));
    assert.equal(prepared[0]?.secret, 'whsec_endpoint-cache');
  });

  it('an endpoint disabled while it is read: the next attempt reads it again and sends nothing', async () => {
    const r = reads();
    const cache = createEndpointCache({ find: r.find, box, ssrf: { allowPrivateNetworks: false } });
    const during = cache.get(1);
    cache.forget(1); // the worker disabled it meanwhile
    const next = cache.get(1);
    assert.equal(r.pending.length, 2, 'the attempt after forget() does not join the read that began before it');
    r.pending[1](row(0));
    assert.equal(await next, undefined);
    r.pending[0](row(1)); // the read from before the change answers last
    assert.ok(await during, 'its own attempt goes ahead, as it would have a moment earlier');
    assert.equal(await cache.get(1), undefined, 'the late read of the active row was not kept');
    assert.equal(r.pending.length, 2);
  });
});
