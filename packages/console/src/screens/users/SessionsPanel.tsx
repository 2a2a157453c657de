import { Alert, Button, Skeleton, Table, Text } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { revokeUserSession, useListUserSessions } from '../../api/generated/users/users.ts';
import type { User } from '../../api/generated/model/user.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';

/** The user's live login sessions (never a token), each revocable. Listing them needs users.write, like revoking. */
export function SessionsPanel({ user }: { user: User }) {
  const { t } = useTranslation('users');
  const canWrite = useCan('users.write');
  const sessions = useListUserSessions(user.id, { query: { enabled: canWrite } });
  if (!canWrite) {
    return (
      <Alert color="gray" variant="light">
        {t('sessions.needsWrite')}
      </Alert>
    );
  }
  if (sessions.error) return <ProblemAlert error={sessions.error} />;
  if (!sessions.data) return <Skeleton h={80} />;
  const rows = sessions.data.data;
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('sessions.none')}
      </Text>
    );
  }
  return (
    <Table withTableBorder verticalSpacing="xs" data-testid="sessions">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('sessions.started')}</Table.Th>
          <Table.Th>{t('sessions.lastUsed')}</Table.Th>
          <Table.Th>{t('sessions.expires')}</Table.Th>
          <Table.Th w={120} />
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((s) => (
          <Table.Tr key={s.id}>
            <Table.Td>
              <Timestamp value={s.createdAt} />
            </Table.Td>
            <Table.Td>
              <Timestamp value={s.lastUsedAt} />
            </Table.Td>
            <Table.Td>
              <Timestamp value={s.expiresAt} />
            </Table.Td>
            <Table.Td ta="right">
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconLogout size={14} />}
                onClick={() =>
                  void confirmDestructive({
                    target: t('sessions.target', { username: user.username }),
                    confirmLabel: t('sessions.revoke'),
                    onConfirm: async (reason) => {
                      await revokeUserSession(user.id, s.id, { reason });
                      await sessions.refetch();
                    },
                  })
                }
              >
                {t('sessions.revoke')}
              </Button>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
