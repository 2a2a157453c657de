/**
 * The route tree (code-based). Every screen is lazy-loaded (its own chunk) and validates its URL search with the
 * zod schema of its folder (src/screens/<screen>/search.ts). Screens read their params and search through
 * `getRouteApi('/_app/<path>')`, which avoids importing this file.
 */
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { z } from 'zod/mini';
import { safeRedirect } from '../auth/redirect.ts';
import { optional } from '../lib/search.ts';
import { getSession, restoreSession } from '../auth/session.ts';
import { search as apiKeysSearch } from '../screens/api-keys/search.ts';
import { search as auditSearch } from '../screens/audit/search.ts';
import { search as clientVersionsSearch } from '../screens/client-versions/search.ts';
import { search as dashboardSearch } from '../screens/dashboard/search.ts';
import { search as eventsSearch } from '../screens/events/search.ts';
import { search as maintenanceSearch } from '../screens/maintenance/search.ts';
import { search as monitoringSearch } from '../screens/monitoring/search.ts';
import { search as noticesSearch } from '../screens/notices/search.ts';
import { search as settingsSearch } from '../screens/settings/search.ts';
import { detailSearch as userDetailSearch, search as usersSearch } from '../screens/users/search.ts';
import { detailSearch as webhookSearch, search as webhooksSearch } from '../screens/webhooks/search.ts';
import { search as whitelistSearch } from '../screens/whitelist/search.ts';
import { detailSearch as worldSearch, search as worldsSearch } from '../screens/worlds/search.ts';
import { PageLoader, RouteError } from '../components/RouteStates.tsx';
import i18n from '../i18n/index.ts';

export interface RouterContext {
  queryClient: QueryClient;
}

/**
 * A screen's chunk and its translations, fetched together: rendered before its namespaces are there, the screen
 * would suspend, and React holds a suspended screen back for its reveal throttle (~300 ms) after they arrive.
 */
const screen = (namespaces: string[], load: () => Promise<{ default: ComponentType }>) =>
  lazyRouteComponent(() => Promise.all([load(), i18n.loadNamespaces(namespaces)]).then(([module]) => module));

const rootRoute = createRootRouteWithContext<RouterContext>()({ component: Outlet });

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: z.object({ redirect: optional(z.string()) }),
  beforeLoad: async ({ search }) => {
    const s = await restoreSession();
    if (s.status === 'signedIn') throw redirect({ href: safeRedirect(search.redirect) });
  },
  component: lazyRouteComponent(() => import('../auth/LoginPage.tsx')),
});

/** Everything behind sign-in, inside the shell (navbar, header). */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_app',
  beforeLoad: async ({ location }) => {
    const s = await restoreSession();
    // `expired` stays on the page: the shell asks to sign in again in a modal.
    if (s.status !== 'signedIn' && getSession().status !== 'expired') {
      throw redirect({ to: '/login', search: { redirect: location.href } });
    }
  },
  // The shell (navbar, header, ⌘K, live events) is its own chunk: the sign-in page does not load it.
  component: lazyRouteComponent(() => import('./Shell.tsx'), 'Shell'),
});

const dashboardRoute = createRoute({ getParentRoute: () => appRoute, path: '/', validateSearch: dashboardSearch, component: screen(['dashboard'], () => import('../screens/dashboard/index.tsx')) });
const eventsRoute = createRoute({ getParentRoute: () => appRoute, path: '/events', validateSearch: eventsSearch, component: screen(['events'], () => import('../screens/events/index.tsx')) });
const usersRoute = createRoute({ getParentRoute: () => appRoute, path: '/users', validateSearch: usersSearch, component: screen(['users'], () => import('../screens/users/index.tsx')) });
const userRoute = createRoute({ getParentRoute: () => appRoute, path: '/users/$id', validateSearch: userDetailSearch, component: screen(['users'], () => import('../screens/users/detail.tsx')) });
const worldsRoute = createRoute({ getParentRoute: () => appRoute, path: '/worlds', validateSearch: worldsSearch, component: screen(['worlds', 'maintenance'], () => import('../screens/worlds/index.tsx')) });
const worldRoute = createRoute({ getParentRoute: () => appRoute, path: '/worlds/$id', validateSearch: worldSearch, component: screen(['worlds', 'maintenance'], () => import('../screens/worlds/detail.tsx')) });
const maintenanceRoute = createRoute({ getParentRoute: () => appRoute, path: '/maintenance', validateSearch: maintenanceSearch, component: screen(['maintenance', 'worlds'], () => import('../screens/maintenance/index.tsx')) });
const whitelistRoute = createRoute({ getParentRoute: () => appRoute, path: '/whitelist', validateSearch: whitelistSearch, component: screen(['whitelist'], () => import('../screens/whitelist/index.tsx')) });
const clientVersionsRoute = createRoute({ getParentRoute: () => appRoute, path: '/client-versions', validateSearch: clientVersionsSearch, component: screen(['clientVersions'], () => import('../screens/client-versions/index.tsx')) });
const noticesRoute = createRoute({ getParentRoute: () => appRoute, path: '/notices', validateSearch: noticesSearch, component: screen(['notices'], () => import('../screens/notices/index.tsx')) });
const apiKeysRoute = createRoute({ getParentRoute: () => appRoute, path: '/api-keys', validateSearch: apiKeysSearch, component: screen(['apiKeys'], () => import('../screens/api-keys/index.tsx')) });
const webhooksRoute = createRoute({ getParentRoute: () => appRoute, path: '/webhooks', validateSearch: webhooksSearch, component: screen(['webhooks'], () => import('../screens/webhooks/index.tsx')) });
const webhookRoute = createRoute({ getParentRoute: () => appRoute, path: '/webhooks/$id', validateSearch: webhookSearch, component: screen(['webhooks'], () => import('../screens/webhooks/detail.tsx')) });
const auditRoute = createRoute({ getParentRoute: () => appRoute, path: '/audit', validateSearch: auditSearch, component: screen(['audit'], () => import('../screens/audit/index.tsx')) });
const monitoringRoute = createRoute({ getParentRoute: () => appRoute, path: '/monitoring', validateSearch: monitoringSearch, component: screen(['monitoring'], () => import('../screens/monitoring/index.tsx')) });
const settingsRoute = createRoute({ getParentRoute: () => appRoute, path: '/settings', validateSearch: settingsSearch, component: screen(['settings'], () => import('../screens/settings/index.tsx')) });

const routeTree = rootRoute.addChildren([
  loginRoute,
  appRoute.addChildren([
    dashboardRoute,
    eventsRoute,
    usersRoute,
    userRoute,
    worldsRoute,
    worldRoute,
    maintenanceRoute,
    whitelistRoute,
    clientVersionsRoute,
    noticesRoute,
    apiKeysRoute,
    webhooksRoute,
    webhookRoute,
    auditRoute,
    monitoringRoute,
    settingsRoute,
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    defaultPendingComponent: PageLoader,
    defaultErrorComponent: RouteError,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
