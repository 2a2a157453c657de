import { Center, Paper, Stack, Title } from '@mantine/core';
import { getRouteApi, useRouter } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { safeRedirect } from './redirect.ts';
import { LoginForm } from './LoginForm.tsx';

const route = getRouteApi('/login');

/** /login: the sign-in page; after sign-in goes back to `?redirect=` (a same-origin path) or the dashboard. */
export default function LoginPage() {
  const { t } = useTranslation('auth');
  const search = route.useSearch();
  const router = useRouter();
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} radius="md">
        <Stack>
          <Title order={2}>{t('title')}</Title>
          <LoginForm onSignedIn={() => void router.history.push(safeRedirect(search.redirect))} />
        </Stack>
      </Paper>
    </Center>
  );
}
