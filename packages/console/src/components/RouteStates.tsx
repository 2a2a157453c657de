import { Button, Center, Loader, Stack } from '@mantine/core';
import type { ErrorComponentProps } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from './ProblemAlert.tsx';

/** Shown while a lazy screen's chunk (or its translations) loads; a status, so its label is announced. */
export function PageLoader() {
  const { t } = useTranslation('common');
  return (
    <Center h={240}>
      <Loader role="status" aria-label={t('loading')} />
    </Center>
  );
}

/** Shown when a route throws (a screen's render or loader). */
export function RouteError({ error, reset }: ErrorComponentProps) {
  const { t } = useTranslation('common');
  return (
    <Stack maw={640}>
      <ProblemAlert error={error} />
      <Button variant="default" w="fit-content" onClick={reset}>
        {t('retry')}
      </Button>
    </Stack>
  );
}
