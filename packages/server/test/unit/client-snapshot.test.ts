/**
 * The game-client snapshot's life (modules/client/service.ts), on sources the test controls and a test clock: past
 * its bounded age it keeps answering while the next one loads; past a window boundary, after a change or before
 * the first load, callers wait for the load; a reload with a changed whitelist entry answers by the change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClientService, type ClientSources } from '../../src/modules/client/service.ts';
import type { PublicClientVersion } from '../../src/modules/client-versions/schemas.ts';
import type { PublicWhitelistEntry } from '../../src/modules/whitelist/schemas.ts';
import { TestClock } from '../helpers.ts';

const MAX_AGE_MS = 2000;
const AT = '2026-01-01T00:00:00.000Z';
const version: PublicClientVersion = {
  id: 1,
  channel: 'PC',
  subChannel: 'Steam',
  version: '1.0.0',
  status: 'MAINTENANCE',
  gameServerAddress: 'game.example.com:7777',
  gameServerAddressForWhitelist: 'qa.example.com:7777',
  patchAddress: 'https://patch.example.com/',
  patchAddressForWhitelist: null,
  minPatchVersion: null,
  guestModeAllowed: true,
  externalClickLink: null,
  customPayload: null,
  maintenanceMessage: 'down',
  maintenanceMessages: {},
  memo: null,
  createdAt: AT,
  updatedAt: AT,
};
const entry = (id: number, value: string, over: Partial<PublicWhitelistEntry> = {}): PublicWhitelistEntry => ({
  id,
  type: 'ip',
  value,
  memo: null,
  enabled: true,
  startsAt: null,
  endsAt: null,
  createdAt: AT,
  updatedAt: AT,
  ...over,
});

/** Sources whose whitelist the test sets (each set moves its revision), counting loads and reads; `hold()` makes the next load wait until released. */
function sources() {
  let whitelist: PublicWhitelistEntry[] = [];
  let revision = 0;
  let held: Promise<void> | undefined;
  const s = {
    /** Loads started (each reads the revision first). */
    loads: 0,
    /** Reads of the entries. */
    reads: 0,
    /** Runs once, between the next reload's revision read and its entries read. */
    betweenReads: undefined as (() => void) | undefined,
    setWhitelist: (w: PublicWhitelistEntry[]) => {
      whitelist = w;
      revision++;
    },
    hold(): () => void {
      let release!: () => void;
      held = new Promise((r) => (release = r));
      return release;
    },
    sources: {
      versions: async () => [version],
      maintenance: async () => ({ enabled: false, active: false, message: null, messages: {}, startsAt: null, endsAt: null, updatedAt: AT }),
      worlds: async () => [],
      whitelistRevision: async () => {
        s.loads++;
        const r = String(revision);
        const between = s.betweenReads;
        s.betweenReads = undefined;
        between?.();
        return r;
      },
      whitelist: async () => {
        s.reads++;
        const w = whitelist;
        await held;
        return w;
      },
      notices: async () => [],
    } satisfies ClientSources,
  };
  return s;
}

/** The game server address this caller is sent to (qa… when whitelisted), or 'waits' when the answer is a promise. */
function addressFor(client: ReturnType<typeof createClientService>, ip: string): string {
  const answer = client.clientVersion({ channel: 'PC', subChannel: 'Steam', version: '1.0.0' }, ip);
  return typeof answer === 'string' ? (JSON.parse(answer) as { gameServerAddress: string }).gameServerAddress : 'waits';
}

/** Waits for the load a request is waiting for. */
const settled = async (client: ReturnType<typeof createClientService>) => {
  await client.clientVersion({ channel: 'PC', subChannel: 'Steam', version: '1.0.0' }, undefined);
};
/** Lets a load no request waits for finish (its sources answer at once: only promise steps are left). */
const drained = () => new Promise((resolve) => setImmediate(resolve));

describe('game-client snapshot', () => {
  it('answers from the old snapshot past its bounded age while the next loads, then from the new one', async () => {
    const clock = new TestClock(Date.parse(AT));
    const s = sources();
    s.setWhitelist([entry(1, '203.0.113.7')]);
    const client = createClientService(s.sources, clock, MAX_AGE_MS);
    assert.equal(addressFor(client, '203.0.113.7'), 'waits', 'the first load is waited for');
    await settled(client);
    assert.equal(addressFor(client, '203.0.113.7'), 'qa.example.com:7777');

    // Another node disabled the entry (no bus): seen after the bounded age, without any request waiting.
    s.setWhitelist([entry(1, '203.0.113.7', { enabled: false, updatedAt: '2026-01-01T00:00:01.000Z' })]);
    const release = s.hold();
    clock.advance(MAX_AGE_MS);
    assert.equal(addressFor(client, '203.0.113.7'), 'qa.example.com:7777', 'the old snapshot answers at once');
    assert.equal(s.loads, 2, 'and the next one is loading');
    assert.equal(addressFor(client, '203.0.113.7'), 'qa.example.com:7777');
    assert.equal(s.loads, 2, 'one load at a time');
    release();
    await drained();
    assert.equal(addressFor(client, '203.0.113.7'), 'game.example.com:7777', 'the disabled entry no longer matches');
  });

  it('waits for the load past a window boundary and after a change', async () => {
    const clock = new TestClock(Date.parse(AT));
    const s = sources();
    s.setWhitelist([entry(1, '203.0.113.7', { endsAt: '2026-01-01T01:00:00.000Z' })]);
    const client = createClientService(s.sources, clock, 3600_000 * 24);
    await settled(client);
    assert.equal(addressFor(client, '203.0.113.7'), 'qa.example.com:7777');
    clock.advance(3600_000);
    assert.equal(addressFor(client, '203.0.113.7'), 'waits', 'the entry has ended: the old snapshot no longer answers');
    await settled(client);
    assert.equal(addressFor(client, '203.0.113.7'), 'game.example.com:7777');

    s.setWhitelist([entry(2, '198.51.100.0/24')]);
    client.invalidate();
    assert.equal(addressFor(client, '198.51.100.9'), 'waits');
    await settled(client);
    assert.equal(addressFor(client, '198.51.100.9'), 'qa.example.com:7777');
  });

  it('a reload at the same revision reads no entries; a write between the revision and the entries is read next time', async () => {
    const clock = new TestClock(Date.parse(AT));
    const s = sources();
    s.setWhitelist([entry(1, '203.0.113.7')]);
    const client = createClientService(s.sources, clock, MAX_AGE_MS);
    await settled(client);
    assert.equal(s.reads, 1);
    for (let i = 0; i < 3; i++) {
      clock.advance(MAX_AGE_MS);
      addressFor(client, '203.0.113.7'); // starts a reload
      await drained();
    }
    assert.equal(s.reads, 1, 'the revision has not moved: the entries are not read again');
    assert.equal(addressFor(client, '203.0.113.7'), 'qa.example.com:7777');

    // Another node renames the entry, and then disables it after this node read the revision but before the entries.
    s.setWhitelist([entry(1, '203.0.113.8')]);
    s.betweenReads = () => s.setWhitelist([entry(1, '203.0.113.8', { enabled: false })]);
    clock.advance(MAX_AGE_MS);
    addressFor(client, '203.0.113.7');
    await drained();
    assert.equal(s.reads, 2);
    assert.equal(addressFor(client, '203.0.113.8'), 'game.example.com:7777', 'the entries read carry the later write');
    clock.advance(MAX_AGE_MS);
    addressFor(client, '203.0.113.7');
    await drained();
    assert.equal(s.reads, 3, 'the revision read before that write is behind it: the next reload reads again');
    clock.advance(MAX_AGE_MS);
    addressFor(client, '203.0.113.7');
    await drained();
    assert.equal(s.reads, 3, 'and then not again');
  });

  it('a reload sees a changed value, type or window of an entry with the same id', async () => {
    const clock = new TestClock(Date.parse(AT));
    const s = sources();
    const client = createClientService(s.sources, clock, MAX_AGE_MS);
    await settled(client);
    const reloaded = async (w: PublicWhitelistEntry[]) => {
      s.setWhitelist(w);
      clock.advance(MAX_AGE_MS);
      const loads = s.loads;
      addressFor(client, '203.0.113.7'); // starts the reload, answering from the old snapshot
      assert.equal(s.loads, loads + 1);
      await drained();
    };
    const steps: [Partial<PublicWhitelistEntry>, string][] = [
      [{}, 'qa.example.com:7777'],
      [{ type: 'account' }, 'game.example.com:7777'],
      [{}, 'qa.example.com:7777'],
      [{ value: '203.0.113.8' }, 'game.example.com:7777'],
      [{}, 'qa.example.com:7777'],
      [{ startsAt: '2030-01-01T00:00:00.000Z' }, 'game.example.com:7777'],
      [{}, 'qa.example.com:7777'],
      [{ endsAt: AT }, 'game.example.com:7777'],
    ];
    for (const [change, address] of steps) {
      await reloaded([entry(1, '203.0.113.7', change)]);
      assert.equal(addressFor(client, '203.0.113.7'), address, JSON.stringify(change));
    }
  });
});
