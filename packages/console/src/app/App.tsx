import { createTheme, type CSSVariablesResolver, localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/errors.ts';
import { getSession, subscribeSession } from '../auth/session.ts';
import { makeRouter } from './routes.tsx';

/**
 * Shade 8 of indigo keeps white button text above WCAG AA contrast (4.5:1) in both schemes; shade 6 does not. Every
 * modal and drawer (confirmations opened through @mantine/modals included) names its close button in the
 * console's language: Mantine's own has no name, which screen readers announce as just "button".
 */
function makeTheme(close: string) {
  const closeButtonProps = { 'aria-label': close };
  return createTheme({
    primaryColor: 'indigo',
    primaryShade: { light: 8, dark: 8 },
    defaultRadius: 'md',
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans KR", sans-serif',
    // By name, not Modal.extend(): importing the components here would put them in the first page's bundle.
    components: { Modal: { defaultProps: { closeButtonProps } }, Drawer: { defaultProps: { closeButtonProps } } },
  });
}
/** The palette colors whose `light` variant (badges, alerts) text is darkened in the light scheme. */
const LIGHT_VARIANT_COLORS = ['gray', 'red', 'pink', 'grape', 'violet', 'indigo', 'blue', 'cyan', 'teal', 'green', 'lime', 'yellow', 'orange'];
/**
 * Mantine's default "dimmed" grey is below 4.5:1 on both backgrounds; one shade stronger passes WCAG AA. So is the
 * text of `variant="light"` badges in the light scheme (e.g. green 8 on pale green): it gets shade 9 darkened further.
 */
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(LIGHT_VARIANT_COLORS.map((c) => [`--mantine-color-${c}-light-color`, `color-mix(in srgb, var(--mantine-color-${c}-9), black 30%)`])),
  },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});
/** Light / dark / system, remembered in localStorage. */
const colorSchemeManager = localStorageColorSchemeManager({ key: 'gatrix.colorScheme' });

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // 4xx answers are final; retry only network failures and 5xx, twice.
      retry: (count, error) => count < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});
const router = makeRouter(queryClient);

// Nothing cached for one user may be shown to the next: drop the cache on sign-out and when another user signs in.
let cachedFor: number | undefined;
subscribeSession(() => {
  const { status, user } = getSession();
  if (status === 'signedOut' || (status === 'signedIn' && cachedFor !== undefined && user?.id !== cachedFor)) queryClient.clear();
  if (status === 'signedIn') cachedFor = user?.id;
  if (status === 'signedOut') cachedFor = undefined;
});

/** Notifications and modals are provided by the shell (src/app/Shell.tsx), which the sign-in page does not load. */
export function App() {
  const { t } = useTranslation('common');
  const theme = useMemo(() => makeTheme(t('close')), [t]);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
