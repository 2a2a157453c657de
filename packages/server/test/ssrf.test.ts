import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ValidationError } from '../src/core/errors.ts';
import {
  checkWebhookUrl,
  guardedLookup,
  isForbiddenAddress,
  resolveWebhookTarget,
  SsrfBlockedError,
  type SsrfOptions,
} from '../src/modules/webhooks/ssrf.ts';

const STRICT: SsrfOptions = { allowPrivateNetworks: false };
const OPEN: SsrfOptions = { allowPrivateNetworks: true };

type Answer = { address: string; family: 4 | 6 };
const a4 = (address: string): Answer => ({ address, family: 4 });
const a6 = (address: string): Answer => ({ address, family: 6 });

/** A resolve stub from a fixed table; records every name it is asked for. */
function stub(table: Record<string, Answer[]>): { resolve: NonNullable<SsrfOptions['resolve']>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    resolve: (host) => {
      calls.push(host);
      const hit = table[host];
      return hit ? Promise.resolve(hit) : Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    },
  };
}

const FORBIDDEN_IPS = [
  // IPv4
  '0.0.0.0', '0.1.2.3', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.255', '100.100.100.200',
  '127.0.0.1', '127.255.255.254', '169.254.0.1', '169.254.169.254', '172.16.0.1', '172.31.255.255',
  '192.0.0.1', '192.0.0.170', '192.0.2.1', '192.88.99.1', '192.168.1.1', '198.18.0.1', '198.19.255.255',
  '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255', '168.63.129.16',
  // IPv6
  '::', '::1', '0:0:0:0:0:0:0:1', 'fc00::1', 'fd00::1', 'fd00:ec2::254', 'FD00:EC2::254', 'fe80::1', 'fe80::1%eth0',
  'febf::1', 'fec0::1', 'ff02::1', 'ff05::1:3', '100::1', '64:ff9b:1::1', '2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2',
  '2001:2::1', '2001:db8::1', '3fff::1', '4000::1', '::ffff:0:7f00:1',
  // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of forbidden IPv4
  '::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:127.0.0.1', '::FFFF:7F00:1', '::ffff:10.0.0.1',
  '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:0.0.0.0', '::ffff:100.100.100.200', '::ffff:ffff:ffff',
  '::127.0.0.1', '::7f00:1', '::10.0.0.1', '::8.8.8.8',
  '64:ff9b::127.0.0.1', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::10.0.0.1', '64:ff9b::c0a8:101',
  '2002:7f00:1::1', '2002:c0a8:101::1', '2002:a9fe:a9fe::',
  // bracketed
  '[::1]', '[::ffff:127.0.0.1]', '[fd00:ec2::254]',
];

const PUBLIC_IPS = [
  '93.184.216.34', '8.8.8.8', '1.1.1.1', '11.0.0.1', '100.63.255.255', '100.128.0.0', '169.253.255.255', '169.255.0.0',
  '172.15.255.255', '172.32.0.0', '192.0.1.1', '192.167.255.255', '192.169.0.0', '198.17.255.255', '198.20.0.0',
  '223.255.255.255',
  '2606:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001::1', '2600::', '[2606:4700::1111]',
  '::ffff:93.184.216.34', '::ffff:5db8:d822', '64:ff9b::93.184.216.34', '64:ff9b::5db8:d822', '2002:5db8:d822::1',
];

/** Not IP literals at all, or inet_aton shorthands: fail closed. */
const NOT_LITERALS = ['', 'localhost', 'example.com', '0177.0.0.1', '2130706433', '0x7f.1', '127.1', '1.2.3', '::g', '[]', '1.2.3.4.5'];

describe('isForbiddenAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, reserved, benchmarking, documentation and metadata addresses in every IP form', () => {
    for (const ip of FORBIDDEN_IPS) assert.equal(isForbiddenAddress(ip), true, ip);
  });
  it('allows public unicast addresses, including mapped/NAT64/6to4 forms of public IPv4 and the neighbours of refused ranges', () => {
    for (const ip of PUBLIC_IPS) assert.equal(isForbiddenAddress(ip), false, ip);
  });
  it('fails closed on anything that is not a canonical IP literal', () => {
    for (const s of NOT_LITERALS) assert.equal(isForbiddenAddress(s), true, JSON.stringify(s));
  });
});

/** URLs refused (unless allowPrivateNetworks) because of the address they name, with the address the message must name. */
const FORBIDDEN_URL_HOSTS: [string, RegExp][] = [
  ['http://127.0.0.1/', /127\.0\.0\.1 is a loopback/],
  ['http://2130706433/', /127\.0\.0\.1 is a loopback/],
  ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback/],
  ['http://0x7f.1/', /127\.0\.0\.1 is a loopback/],
  ['http://127.1/', /127\.0\.0\.1 is a loopback/],
  ['http://0x7f000001/', /127\.0\.0\.1/],
  ['http://017700000001/', /127\.0\.0\.1/],
  ['http://0x7F.0x00.0x00.0x01:8080/x', /127\.0\.0\.1/],
  ['http://１２７.０.０.１/', /127\.0\.0\.1/],
  ['http://127。0。0。1/', /127\.0\.0\.1/],
  ['http://0/', /0\.0\.0\.0/],
  ['http://0.0.0.0:3000/', /0\.0\.0\.0/],
  ['http://0xa9fea9fe/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata/],
  ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a cloud metadata/],
  ['http://100.100.100.200/', /metadata/],
  ['http://3232235777/', /192\.168\.1\.1 is a private/],
  ['https://10.0.0.5:8443/hook', /10\.0\.0\.5 is a private/],
  ['http://172.20.1.1/', /private/],
  ['http://100.64.1.1/', /carrier-grade NAT/],
  ['http://192.0.0.8/', /192\.0\.0\.0\/24/],
  ['http://198.18.5.5/', /benchmarking/],
  ['http://224.0.0.251/', /multicast/],
  ['http://255.255.255.255/', /broadcast/],
  ['http://[::1]/', /::1 is the loopback/],
  ['http://[::]/', /unspecified/],
  ['http://[::ffff:127.0.0.1]/', /IPv4-mapped IPv6 form of 127\.0\.0\.1/],
  ['http://[::ffff:7f00:1]/', /IPv4-mapped IPv6 form of 127\.0\.0\.1/],
  ['http://[0:0:0:0:0:ffff:7f00:1]/', /IPv4-mapped/],
  ['http://[::ffff:169.254.169.254]/', /IPv4-mapped IPv6 form of 169\.254\.169\.254, a cloud metadata/],
  ['http://[::127.0.0.1]/', /IPv4-compatible IPv6 form of 127\.0\.0\.1/],
  ['http://[64:ff9b::127.0.0.1]/', /NAT64 .* of 127\.0\.0\.1/],
  ['http://[64:ff9b::a9fe:a9fe]/', /NAT64 .* of 169\.254\.169\.254/],
  ['http://[fd00:ec2::254]/', /cloud metadata/],
  ['http://[fe80::1]/', /link-local/],
  ['http://[fc00::5]:8080/', /unique-local/],
  ['http://[ff02::1]/', /multicast/],
];

const FORBIDDEN_NAMES = [
  'http://localhost/', 'http://LOCALHOST:3000/', 'http://localhost./', 'http://api.localhost/', 'http://a.b.localhost/',
  'http://ｌｏｃａｌｈｏｓｔ/', 'http://localhost.localdomain/', 'http://printer.local/', 'http://db.internal/',
  'http://metadata.google.internal/computeMetadata/v1/', 'http://METADATA.GOOGLE.INTERNAL./', 'http://metadata/',
  'http://instance-data/latest/', 'http://router.home.arpa/',
];

const BAD_SCHEMES = ['ftp://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://example.com:70/_x', 'data:text/plain,hi', 'ws://example.com/', 'mailto:a@example.com'];

const WITH_CREDENTIALS = [
  'http://user:pass@example.com/', 'http://user@example.com/', 'http://:pass@example.com/', 'https://example.com@127.0.0.1/',
  'https://a%40b:c@example.com/hook',
];

const NOT_URLS = ['not a url', '', '//example.com/hook', 'http://', 'http://1.2.3.4.5/', 'http://[fe80::1%25eth0]/', 'example.com/hook'];

const ALLOWED_URLS: [string, string][] = [
  ['https://example.com/hook', 'example.com'],
  ['HTTP://Example.COM/Hook', 'example.com'],
  ['http://93.184.216.34/', '93.184.216.34'],
  ['http://1572395042/', '93.184.216.34'],
  ['http://[2606:4700::1111]:8443/x', '[2606:4700::1111]'],
  ['http://[::ffff:93.184.216.34]/', '[::ffff:5db8:d822]'],
  ['https://hooks.example.org/a?b=c#d', 'hooks.example.org'],
  ['http://localhost.example.com/', 'localhost.example.com'], // only the name's end counts; its addresses are checked at connect time
  ['http://internal-hooks.example/', 'internal-hooks.example'],
  ['http://@example.com/', 'example.com'], // an empty userinfo is dropped by the parser
];

function refusedWith(re: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    assert.equal(err.errors?.[0]?.path, 'url');
    assert.match(err.message, /^url: /);
    assert.match(err.message, re);
    return true;
  };
}

describe('checkWebhookUrl (registration)', () => {
  it('refuses IP-literal hosts in every spelling, after WHATWG URL normalization', () => {
    // The parser itself turns decimal/octal/hex/short IPv4 into dotted form — the guard relies on that.
    assert.equal(new URL('http://2130706433/').hostname, '127.0.0.1');
    assert.equal(new URL('http://0177.0.0.1/').hostname, '127.0.0.1');
    assert.equal(new URL('http://0x7f.1/').hostname, '127.0.0.1');
    assert.equal(new URL('http://127.1/').hostname, '127.0.0.1');
    assert.equal(new URL('http://[::ffff:127.0.0.1]/').hostname, '[::ffff:7f00:1]');
    for (const [raw, re] of FORBIDDEN_URL_HOSTS) {
      assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(re), raw);
      assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(/GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS/), raw);
    }
  });

  it('refuses local, internal and metadata host names', () => {
    for (const raw of FORBIDDEN_NAMES) assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(/host ".*" is a/), raw);
  });

  it('refuses schemes other than http: and https:', () => {
    for (const raw of BAD_SCHEMES) assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(/scheme ".*" is not allowed/), raw);
  });

  it('refuses credentials in the URL', () => {
    for (const raw of WITH_CREDENTIALS) assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(/user name or password/), raw);
  });

  it('refuses what is not an absolute URL', () => {
    for (const raw of NOT_URLS) assert.throws(() => checkWebhookUrl(raw, STRICT), refusedWith(/absolute http/), raw);
  });

  it('accepts public targets and returns the parsed URL', () => {
    for (const [raw, hostname] of ALLOWED_URLS) {
      const url = checkWebhookUrl(raw, STRICT);
      assert.ok(url instanceof URL);
      assert.equal(url.hostname, hostname, raw);
    }
  });

  it('with allowPrivateNetworks every address and name is accepted, but scheme and credential rules stay', () => {
    for (const [raw] of FORBIDDEN_URL_HOSTS) assert.ok(checkWebhookUrl(raw, OPEN) instanceof URL, raw);
    for (const raw of FORBIDDEN_NAMES) assert.ok(checkWebhookUrl(raw, OPEN) instanceof URL, raw);
    for (const raw of BAD_SCHEMES) assert.throws(() => checkWebhookUrl(raw, OPEN), ValidationError, raw);
    for (const raw of WITH_CREDENTIALS) assert.throws(() => checkWebhookUrl(raw, OPEN), ValidationError, raw);
  });
});

function blocked(re: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof SsrfBlockedError, `expected SsrfBlockedError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_SSRF_BLOCKED');
    assert.equal(err.name, 'SsrfBlockedError');
    assert.match(err.message, re);
    return true;
  };
}

describe('resolveWebhookTarget (connect time)', () => {
  const dnsTable: Record<string, Answer[]> = {
    'evil.example': [a4('127.0.0.1')],
    'mixed.example': [a4('93.184.216.34'), a4('10.0.0.1')],
    'mixed-reversed.example': [a4('10.0.0.1'), a4('93.184.216.34')],
    'v6private.example': [a6('2606:4700::1111'), a6('fd12:3456::1')],
    'mapped.example': [a6('::ffff:127.0.0.1')],
    'nat64.example': [a6('64:ff9b::a9fe:a9fe')],
    'meta.example': [a4('169.254.169.254')],
    'cgnat.example': [a4('100.100.100.200')],
    'garbage.example': [a4('not-an-ip')],
    'public.example': [a6('2606:4700::1111'), a4('93.184.216.34')],
    'empty.example': [],
  };

  it('refuses a name when ANY of its addresses is forbidden', async () => {
    const { resolve } = stub(dnsTable);
    const cases: [string, RegExp][] = [
      ['evil.example', /"evil\.example" resolves to 127\.0\.0\.1, a loopback/],
      ['mixed.example', /resolves to 10\.0\.0\.1, a private/],
      ['mixed-reversed.example', /resolves to 10\.0\.0\.1/],
      ['v6private.example', /fd12:3456::1, a unique-local/],
      ['mapped.example', /IPv4-mapped IPv6 form of 127\.0\.0\.1/],
      ['nat64.example', /NAT64 .* 169\.254\.169\.254/],
      ['meta.example', /cloud metadata/],
      ['cgnat.example', /cloud metadata/],
      ['garbage.example', /not an IP address/],
    ];
    for (const [host, re] of cases) {
      await assert.rejects(resolveWebhookTarget(new URL(`https://${host}/hook`), { allowPrivateNetworks: false, resolve }), blocked(re), host);
    }
  });

  it('returns the first address of a public name', async () => {
    const { resolve } = stub(dnsTable);
    assert.deepEqual(await resolveWebhookTarget(new URL('https://public.example/'), { allowPrivateNetworks: false, resolve }), a6('2606:4700::1111'));
  });

  it('checks IP literals without resolving them', async () => {
    const { resolve, calls } = stub({});
    const opts = { allowPrivateNetworks: false, resolve };
    await assert.rejects(resolveWebhookTarget(new URL('http://127.0.0.1:8080/'), opts), blocked(/127\.0\.0\.1 is a loopback/));
    await assert.rejects(resolveWebhookTarget(new URL('http://[::ffff:7f00:1]/'), opts), blocked(/IPv4-mapped/));
    await assert.rejects(resolveWebhookTarget(new URL('http://0x7f.1/'), opts), blocked(/127\.0\.0\.1/));
    assert.deepEqual(await resolveWebhookTarget(new URL('http://93.184.216.34/'), opts), a4('93.184.216.34'));
    assert.deepEqual(await resolveWebhookTarget(new URL('http://[2606:4700::1111]/'), opts), a6('2606:4700::1111'));
    assert.deepEqual(calls, []);
  });

  it('refuses forbidden names before asking DNS, and non-http schemes', async () => {
    const { resolve, calls } = stub({ localhost: [a4('93.184.216.34')] });
    const opts = { allowPrivateNetworks: false, resolve };
    await assert.rejects(resolveWebhookTarget(new URL('http://localhost/'), opts), blocked(/"localhost" is a loopback host name/));
    await assert.rejects(resolveWebhookTarget(new URL('http://metadata.google.internal/'), opts), blocked(/metadata/));
    await assert.rejects(resolveWebhookTarget(new URL('ftp://example.com/'), opts), blocked(/scheme "ftp:"/));
    assert.deepEqual(calls, []);
  });

  it('passes resolution failures through as they are (not as SSRF refusals)', async () => {
    const { resolve } = stub(dnsTable);
    const opts = { allowPrivateNetworks: false, resolve };
    await assert.rejects(resolveWebhookTarget(new URL('http://empty.example/'), opts), (err: NodeJS.ErrnoException) => {
      assert.ok(!(err instanceof SsrfBlockedError));
      assert.equal(err.code, 'ENOTFOUND');
      return true;
    });
    await assert.rejects(resolveWebhookTarget(new URL('http://unknown.example/'), opts), { code: 'ENOTFOUND' });
  });

  it('with allowPrivateNetworks every name and address is allowed', async () => {
    const { resolve } = stub(dnsTable);
    const opts = { allowPrivateNetworks: true, resolve };
    assert.deepEqual(await resolveWebhookTarget(new URL('http://evil.example/'), opts), a4('127.0.0.1'));
    assert.deepEqual(await resolveWebhookTarget(new URL('http://mixed-reversed.example/'), opts), a4('10.0.0.1'));
    assert.deepEqual(await resolveWebhookTarget(new URL('http://127.0.0.1/'), opts), a4('127.0.0.1'));
    assert.deepEqual(await resolveWebhookTarget(new URL('http://[::1]/'), opts), a6('::1'));
  });

  it('uses the system resolver by default', async () => {
    // "localhost" is answered from the hosts file, no network needed.
    const got = await resolveWebhookTarget(new URL('http://localhost/'), OPEN);
    assert.ok(['127.0.0.1', '::1'].includes(got.address), got.address);
    assert.equal(got.family, got.address === '::1' ? 6 : 4);
    await assert.rejects(resolveWebhookTarget(new URL('http://localhost/'), STRICT), SsrfBlockedError);
  });
});

/** Calls a lookup function and collects what its callback got. */
function callLookup(
  lookup: ReturnType<typeof guardedLookup>,
  host: string,
  options: Parameters<ReturnType<typeof guardedLookup>>[1],
): Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve) => lookup(host, options, (err, address, family) => resolve({ err, address, family })));
}

describe('guardedLookup', () => {
  const { resolve } = stub({
    'dual.example': [a6('2606:4700::1111'), a4('93.184.216.34')],
    'v6only.example': [a6('2606:4700::1111')],
    'evil.example': [a4('127.0.0.1')],
    'mixed.example': [a4('93.184.216.34'), a4('192.168.0.10')],
  });
  const lookup = guardedLookup({ allowPrivateNetworks: false, resolve });

  it('answers the {all: true} form with every checked address', async () => {
    const r = await callLookup(lookup, 'dual.example', { all: true });
    assert.equal(r.err, null);
    assert.deepEqual(r.address, [
      { address: '2606:4700::1111', family: 6 },
      { address: '93.184.216.34', family: 4 },
    ]);
  });

  it('answers the single form with (address, family) and honours family', async () => {
    assert.deepEqual(await callLookup(lookup, 'dual.example', {}), { err: null, address: '2606:4700::1111', family: 6 });
    assert.deepEqual(await callLookup(lookup, 'dual.example', { family: 4 }), { err: null, address: '93.184.216.34', family: 4 });
    assert.deepEqual(await callLookup(lookup, 'dual.example', { family: 'IPv6', all: true }), { err: null, address: [{ address: '2606:4700::1111', family: 6 }], family: undefined });
    const none = await callLookup(lookup, 'v6only.example', { family: 4 });
    assert.equal(none.err?.code, 'ENOTFOUND');
  });

  it('supports the legacy (hostname, callback) form', async () => {
    const legacy = lookup as unknown as (h: string, cb: (err: Error | null, address: string, family: number) => void) => void;
    const r = await new Promise<[Error | null, string, number]>((res) => legacy('dual.example', (...args) => res(args)));
    assert.deepEqual(r, [null, '2606:4700::1111', 6]);
  });

  it('reports forbidden targets through the callback, in both forms', async () => {
    for (const options of [{ all: true }, {}]) {
      for (const host of ['evil.example', 'mixed.example', 'localhost', '127.0.0.1', '[::1]']) {
        const r = await callLookup(lookup, host, options);
        assert.ok(r.err instanceof SsrfBlockedError, `${host} ${JSON.stringify(options)}`);
        assert.equal(r.err.code, 'ERR_SSRF_BLOCKED');
      }
    }
  });

  it('with allowPrivateNetworks returns private addresses too', async () => {
    const open = guardedLookup({ allowPrivateNetworks: true, resolve });
    assert.deepEqual((await callLookup(open, 'evil.example', { all: true })).address, [{ address: '127.0.0.1', family: 4 }]);
    assert.deepEqual(await callLookup(open, 'mixed.example', {}), { err: null, address: '93.184.216.34', family: 4 });
  });
});

describe('end to end over a real socket', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;

  before(async () => {
    server = http.createServer((_req, res) => res.end('reached'));
    server.on('connection', () => {
      connections++;
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((res) => server.close(() => res()));
  });

  function get(url: string, options: http.RequestOptions): Promise<{ status?: number; body?: string; err?: Error }> {
    return new Promise((resolve) => {
      const req = http.get(url, { agent: false, ...options }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', (err) => resolve({ err }));
      req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    });
  }

  const localtest = () => stub({ 'localtest.example': [a4('127.0.0.1')] });

  it('a name resolving to 127.0.0.1 is refused before any connection is made', async () => {
    const before = connections;
    const r = await get(`http://localtest.example:${port}/`, { lookup: guardedLookup({ allowPrivateNetworks: false, resolve: localtest().resolve }) });
    assert.ok(r.err instanceof SsrfBlockedError, String(r.err));
    assert.match(r.err.message, /"localtest\.example" resolves to 127\.0\.0\.1/);
    assert.equal(r.status, undefined);
    assert.equal(connections, before);
  });

  it('the same, with the lookup on a dedicated Agent', async () => {
    const before = connections;
    const agent = new http.Agent({ lookup: guardedLookup({ allowPrivateNetworks: false, resolve: localtest().resolve }) });
    const r = await get(`http://localtest.example:${port}/`, { agent });
    agent.destroy();
    assert.ok(r.err instanceof SsrfBlockedError, String(r.err));
    assert.equal(connections, before);
  });

  it('with allowPrivateNetworks the request reaches the server', async () => {
    const r = await get(`http://localtest.example:${port}/`, { lookup: guardedLookup({ allowPrivateNetworks: true, resolve: localtest().resolve }) });
    assert.equal(r.err, undefined);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'reached');
  });

  it('a name with one public and one private address is refused (no fallback to the private one)', async () => {
    const before = connections;
    const { resolve } = stub({ 'localtest.example': [a4('93.184.216.34'), a4('127.0.0.1')] });
    const r = await get(`http://localtest.example:${port}/`, { lookup: guardedLookup({ allowPrivateNetworks: false, resolve }) });
    assert.ok(r.err instanceof SsrfBlockedError, String(r.err));
    assert.equal(connections, before);
  });

  it('DNS rebinding: a check that saw a public address does not lead to a connection to 127.0.0.1', async () => {
    const before = connections;
    let n = 0;
    const seen: string[] = [];
    const rebinding: SsrfOptions['resolve'] = (host) => {
      n++;
      const answer = n === 1 ? a4('93.184.216.34') : a4('127.0.0.1');
      seen.push(`${host}=${answer.address}`);
      return Promise.resolve([answer]);
    };
    const opts: SsrfOptions = { allowPrivateNetworks: false, resolve: rebinding };
    const url = checkWebhookUrl(`http://localtest.example:${port}/`, opts);
    // The pre-flight check resolves once and sees the public address…
    assert.deepEqual(await resolveWebhookTarget(url, opts), a4('93.184.216.34'));
    // …then the name flips to 127.0.0.1. Connecting resolves again inside the lookup, which checks what it returns.
    const r = await get(url.href, { lookup: guardedLookup(opts) });
    assert.ok(r.err instanceof SsrfBlockedError, String(r.err));
    assert.equal(connections, before, 'nothing connected to 127.0.0.1');
    assert.deepEqual(seen, ['localtest.example=93.184.216.34', 'localtest.example=127.0.0.1']);
  });

  it('DNS rebinding: whatever a flapping name answers, the lookup only ever hands out checked addresses', async () => {
    let n = 0;
    const flapping: SsrfOptions['resolve'] = () => Promise.resolve([n++ % 2 === 0 ? a4('93.184.216.34') : a4('127.0.0.1')]);
    const lookup = guardedLookup({ allowPrivateNetworks: false, resolve: flapping });
    let refused = 0;
    for (let i = 0; i < 20; i++) {
      const r = await callLookup(lookup, 'flap.example', i % 2 ? { all: true } : {});
      if (r.err) {
        assert.ok(r.err instanceof SsrfBlockedError);
        refused++;
        continue;
      }
      const addresses = Array.isArray(r.address) ? r.address.map((x) => x.address) : [r.address];
      for (const address of addresses) assert.equal(isForbiddenAddress(address), false, address);
    }
    assert.equal(refused, 10);
  });

  it('IP-literal URLs never reach the lookup (Node skips it), so they must be checked with checkWebhookUrl/resolveWebhookTarget', async () => {
    let called = false;
    const lookup = guardedLookup({
      allowPrivateNetworks: false,
      resolve: () => {
        called = true;
        return Promise.resolve([a4('127.0.0.1')]);
      },
    });
    const url = `http://127.0.0.1:${port}/`;
    // The caveat, shown: with only the lookup, a literal connects.
    const r = await get(url, { lookup });
    assert.equal(r.status, 200);
    assert.equal(called, false);
    // Which is why the caller checks the URL before every attempt.
    assert.throws(() => checkWebhookUrl(url, STRICT), ValidationError);
    await assert.rejects(resolveWebhookTarget(new URL(url), STRICT), SsrfBlockedError);
  });
});
