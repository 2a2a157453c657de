import { Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from './session.ts';
import { LoginForm } from './LoginForm.tsx';
import { notify } from '../lib/notify.ts';

/** Warn this long before the session can no longer be refreshed. */
const WARN_BEFORE_MS = 5 * 60_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Session expiry, inside the shell: a notification a few minutes before the session ends (when the server says when),
 * and, once it cannot be refreshed, a sign-in modal over the page; the page, its state and drafts stay.
 */
export function SessionWatcher() {
  const { t } = useTranslation('common');
  const session = useSession();
  const queryClient = useQueryClient();

  useEffect(() => {
    if (session.status !== 'signedIn' || !session.sessionExpiresAt) return;
    const wait = session.sessionExpiresAt - WARN_BEFORE_MS - Date.now();
    // setTimeout fires at once past 2^31-1 ms (~24.8 days); the effect runs again when a refresh moves the end.
    if (wait > MAX_TIMEOUT_MS) return;
    const timer = setTimeout(
      () => notify({ id: 'session-expiring', color: 'yellow', title: t('session.expiringTitle'), message: t('session.expiringBody'), autoClose: false }),
      Math.max(0, wait),
    );
    return () => clearTimeout(timer);
  }, [session.status, session.sessionExpiresAt, t]);

  return (
    <Modal
      opened={session.status === 'expired'}
      onClose={() => undefined}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      title={t('session.expiredTitle')}
      centered
    >
      <Stack>
        <Text size="sm">{t('session.expiredBody')}</Text>
        <LoginForm
          defaultUsername={session.user?.username}
          onSignedIn={() => {
            notifications.hide('session-expiring');
            // What failed while signed out loads again.
            void queryClient.invalidateQueries();
          }}
        />
      </Stack>
    </Modal>
  );
}
