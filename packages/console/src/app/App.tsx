import { createTheme, localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { isApiError } from '../api/errors.ts';
import { getSession, subscribeSession } from '../auth/session.ts';
import { makeRouter } from './routes.tsx';

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans KR", sans-serif' });
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
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
