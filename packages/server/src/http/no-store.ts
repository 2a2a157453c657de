import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { addRouteHook } from './route-hooks.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer carries a token or a secret: no cache may keep it (`Cache-Control: no-store`), replays included. */
    noStore?: boolean;
  }
}

const noStore: onRequestHookHandler = (_request, reply, done) => {
  reply.header('cache-control', 'no-store');
  done();
};

export function registerNoStore(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.config?.noStore) addRouteHook(route, 'onRequest', noStore);
  });
}
