import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { App } from '../http/types.ts';

/**
 * The operator console (packages/console, a Vite build) served at `/`:
 * - `/assets/*`: content-hashed files, cached for a year (`immutable`);
 * - `index.html` (`no-cache`, so a deploy is seen on the next load), also answered for any other GET that asks for
 *   HTML and is not an API, docs, metrics or Socket.IO path, so the console's own URLs (`/users?status=active`)
 *   survive a reload;
 * - `.br`/`.gz` siblings written after the build are sent to browsers that accept them.
 * Security headers (CSP and the rest, @fastify/helmet) are set on these answers only: the API's JSON answers and
 * the game-client fast path are not touched.
 */

/** Paths that never get the console page: the API and the node's own endpoints answer for themselves. */
const NOT_CONSOLE = /^\/(api(\/|$)|docs(\/|$)|openapi\.json$|metrics$|socket\.io(\/|$)|assets\/|healthz$|readyz$)/;

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The page `/` shows when the console has not been built. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatrix</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Gatrix</h1>
<p>The API is running, but the operator console is not built.</p>
<p>Build it with <code>npm run build -w @gatrix/console</code> (or start with <code>npm start</code> from the repository root,
which builds it when needed), then reload this page.</p>
<p>The API is documented at <a href="/docs">/docs</a>.</p>
</body></html>
`;

/** A host as it may appear in the Host header (name or address, optional port): anything else is left out of the CSP. */
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/** The Content-Security-Policy of the console: only its own scripts, its own origin for the API and Socket.IO. */
function helmetOptions() {
  // 'self' covers same-origin WebSockets in current browsers; the explicit ws:/wss: origin is for older ones.
  const sameOriginSocket = (scheme: 'ws' | 'wss') => (req: { headers: Record<string, string | string[] | undefined> }) => {
    const host = req.headers.host;
    return typeof host === 'string' && HOST.test(host) ? `${scheme}://${host}` : "'self'";
  };
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // Mantine sets style attributes and injects <style> elements at run time.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'", sameOriginSocket('ws'), sameOriginSocket('wss')],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    // HSTS belongs to whoever terminates TLS (a proxy), not to a node that may be reached over plain HTTP.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' as const },
  };
}

export type ConsoleState = 'served' | 'not-built' | 'off';

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Registers the console's routes; returns what it serves (logged once at start by the caller). */
export async function consoleRoutes(app: App, config: Config['console'], log: Logger): Promise<ConsoleState> {
  if (!config.enabled) {
    log.info('console: off (GATRIX_CONSOLE=off)');
    return 'off';
  }
  const root = config.dir;
  const built = existsSync(path.join(root, 'index.html'));
  if (!built) {
    log.warn({ dir: root }, 'console: not built; `/` explains how to build it (npm run build -w @gatrix/console)');
  } else {
    log.info({ dir: root }, 'console: serving the built console at /');
  }

  await app.register(async (scope) => {
    await scope.register(helmet, helmetOptions());
    const config = { permission: 'public' as const };
    const schema = { hide: true };

    if (!built) {
      scope.get('/', { config, schema }, (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT_PAGE));
      return;
    }

    await scope.register(fastifyStatic, {
      root,
      serve: false,
      preCompressed: true,
      cacheControl: false,
      etag: true,
      lastModified: true,
      setHeaders: (res, file) => {
        const name = file.replace(/\.(br|gz)$/, '');
        const rel = path.relative(root, name);
        res.setHeader('cache-control', rel.startsWith(`assets${path.sep}`) ? IMMUTABLE : 'no-cache');
        res.setHeader('vary', 'accept-encoding');
      },
    });

    // Files at the top of the build (favicon, robots.txt…), known at start; index.html is the page itself.
    const topFiles = new Set(
      readdirSync(root).filter((f) => !f.startsWith('.') && !/\.(br|gz)$/.test(f) && f !== 'index.html' && statSync(path.join(root, f)).isFile()),
    );
    const page = (_request: FastifyRequest, reply: FastifyReply) => reply.sendFile('index.html');

    scope.get('/', { config, schema }, page);
    scope.get('/assets/*', { config, schema }, (request, reply) => {
      const file = (request.params as { '*': string })['*'];
      return reply.sendFile(`assets/${file}`);
    });
    scope.get('/*', { config: { ...config, catchAll: true }, schema }, (request, reply) => {
      const pathname = request.url.split('?')[0];
      const name = pathname.slice(1);
      if (topFiles.has(name)) return reply.sendFile(name);
      if (NOT_CONSOLE.test(pathname) || !wantsHtml(request)) return reply.callNotFound();
      return page(request, reply);
    });
  });
  return built ? 'served' : 'not-built';
}
