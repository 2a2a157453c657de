import { ActionIcon, Alert, Button, Code, CopyButton, Divider, Group, Modal, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy, IconKey, IconLockOpen } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { resetUserPassword, suspendUser, unlockUser, unsuspendUser } from '../../api/generated/users/users.ts';
import type { User } from '../../api/generated/model/user.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { StatusBadge } from './badges.tsx';
import { READABLE_ALERT } from './model.ts';
import { SuspendModal } from './SuspendModal.tsx';
import { notify } from '../../lib/notify.ts';

/** Suspension (with reason and automatic end), lockout and password reset of one user. */
export function SecurityPanel({ user }: { user: User }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const [suspending, setSuspending] = useState(false);
  const [password, setPassword] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
  const target = t('detail.userTarget', { username: user.username });

  return (
    <Stack gap="lg" maw={760}>
      <Stack gap="xs">
        <Title order={4}>{t('security.suspension')}</Title>
        <Group gap="sm">
          <StatusBadge user={user} />
        </Group>
        {user.status === 'suspended' ? (
          <Stack gap={4}>
            <Text size="sm">
              <Text span c="dimmed">
                {t('security.reason')}:
              </Text>{' '}
              {user.suspendedReason ?? '—'}
            </Text>
            <Text size="sm" data-testid="suspended-until">
              {user.suspendedUntil ? (
                <>
                  {t('suspend.liftedAt')} <Timestamp value={user.suspendedUntil} />
                </>
              ) : (
                t('security.untilLifted')
              )}
            </Text>
          </Stack>
        ) : null}
        <Group gap="xs">
          <Guarded permission="users.write">
            <Button color="red" variant="light" onClick={() => setSuspending(true)}>
              {user.status === 'suspended' ? t('security.changeSuspension') : t('security.suspend')}
            </Button>
          </Guarded>
          {user.status === 'suspended' ? (
            <Guarded permission="users.write">
              <Button
                variant="default"
                onClick={() =>
                  void confirmDestructive({
                    target,
                    confirmLabel: t('security.unsuspend'),
                    onConfirm: async (reason) => {
                      await unsuspendUser(user.id, { reason });
                      await refresh();
                    },
                  })
                }
              >
                {t('security.unsuspend')}
              </Button>
            </Guarded>
          ) : null}
        </Group>
      </Stack>

      <Divider />
      <Stack gap="xs">
        <Title order={4}>{t('security.lockout')}</Title>
        <Text size="sm" c="dimmed">
          {t('security.lockoutHint')}
        </Text>
        <Group>
          <Guarded permission="users.write">
            <Button
              variant="default"
              leftSection={<IconLockOpen size={16} />}
              onClick={() =>
                void confirmDestructive({
                  target,
                  confirmLabel: t('security.unlock'),
                  onConfirm: async (reason) => {
                    await unlockUser(user.id, { reason });
                    notify({ color: 'green', message: t('security.unlocked', { username: user.username }) });
                  },
                })
              }
            >
              {t('security.unlock')}
            </Button>
          </Guarded>
        </Group>
      </Stack>

      <Divider />
      <Stack gap="xs">
        <Title order={4}>{t('security.password')}</Title>
        <Text size="sm" c="dimmed">
          {t('security.resetHint')}
        </Text>
        <Group>
          <Guarded permission="users.write">
            <Button
              color="orange"
              variant="light"
              leftSection={<IconKey size={16} />}
              onClick={() =>
                void confirmDestructive({
                  target,
                  confirmLabel: t('security.reset'),
                  onConfirm: async (reason) => {
                    const answer = await resetUserPassword(user.id, { reason });
                    setPassword(answer.temporaryPassword);
                    await refresh();
                  },
                })
              }
            >
              {t('security.reset')}
            </Button>
          </Guarded>
        </Group>
      </Stack>

      <SuspendModal
        opened={suspending}
        target={target}
        onClose={() => setSuspending(false)}
        onSubmit={async ({ reason, until }) => {
          await suspendUser(user.id, { reason, ...(until ? { until } : {}) }, { reason });
          await refresh();
        }}
      />

      {/* The one-time password lives only in this modal's state: closing it forgets it. */}
      <Modal opened={password !== null} onClose={() => setPassword(null)} title={<Text fw={600}>{t('security.oneTimeTitle', { username: user.username })}</Text>} centered closeOnClickOutside={false}>
        <Stack>
          <Alert color="orange" icon={<IconAlertTriangle size={18} />} styles={READABLE_ALERT}>
            {t('security.oneTimeWarning')}
          </Alert>
          <Group gap="xs" wrap="nowrap">
            <Code fz="md" p="xs" style={{ flex: 1, wordBreak: 'break-all' }} data-testid="one-time-password">
              {password}
            </Code>
            <CopyButton value={password ?? ''}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? t('security.copied') : t('security.copy')} withArrow>
                  <ActionIcon variant="default" size="lg" onClick={copy} aria-label={t('security.copy')}>
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button onClick={() => setPassword(null)}>{t('security.oneTimeDone')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
