/**
 * Test support: a real Gatrix server (packages/server, in-process, SQLite, listening on loopback), webhook
 * receivers, child processes that use the built package the way integrators do.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../../server/test/helpers.ts';

export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Generous: the suites share a 2-core machine with other work. */
export const WAIT_MS = 120_000;

export interface Gatrix extends Harness {
  /** An admin API key, as the partner service of the integration guide's sample uses (docs/integration-guide.md). */
  adminKey: string;
}

/** Gatrix on an ephemeral loopback port with a fresh SQLite database; webhooks may target loopback. */
export async function startGatrix(env: Record<string, string> = {}): Promise<Gatrix> {
  const h = await startHarness('sqlite', { listen: true, env: { GATRIX_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', ...env } });
  const adminKey = (await h.apiKey('admin')).key;
  return Object.assign(h, { adminKey });
}

export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  ms = WAIT_MS,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it arrived. */
  raw: Buffer;
}

export interface TestServer {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** An HTTP server on loopback that records every request and answers as `answer` says. */
export async function testServer(
  answer: (req: Received, n: number, res: http.ServerResponse) => void = (_r, _n, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"received":true}');
  },
): Promise<TestServer> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) };
      received.push(r);
      answer(r, received.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves when stdout has a line matching `pattern`. */
  line(pattern: RegExp, what: string): Promise<string>;
  stop(): Promise<void>;
}

/** Runs `node <file>` with the given environment, from this package's directory. */
export function runNode(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, args, { cwd: PACKAGE_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line: (pattern, what) =>
      until(() => out.split('\n').find((l) => pattern.test(l)), () => `${what}\nstdout:\n${out}\nstderr:\n${err}`),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
