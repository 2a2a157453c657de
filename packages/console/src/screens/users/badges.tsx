import { Badge, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { User } from '../../api/generated/model/user.ts';
import { Timestamp } from '../../components/Timestamp.tsx';
import { ROLE_COLOR, STATUS_COLOR } from './model.ts';

export function RoleBadge({ role }: { role: string }) {
  const { t } = useTranslation('users');
  return (
    // A tinted background with the body text colour: readable (WCAG AA) in both colour schemes.
    <Badge variant="light" color={ROLE_COLOR[role] ?? 'gray'} size="sm" style={{ color: 'var(--mantine-color-text)', width: 'max-content', overflow: 'visible' }}>
      {t(`role.${role}`)}
    </Badge>
  );
}

export function StatusBadge({ user }: { user: Pick<User, 'status' | 'suspendedUntil'> }) {
  const { t } = useTranslation('users');
  return (
    <Stack gap={2} align="flex-start">
      <Badge variant="dot" color={STATUS_COLOR[user.status] ?? 'gray'} size="sm" style={{ width: 'max-content', overflow: 'visible' }}>
        {t(`status.${user.status}`)}
      </Badge>
      {user.status === 'suspended' && user.suspendedUntil ? (
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {t('list.until')} <Timestamp value={user.suspendedUntil} withSeconds={false} />
        </Text>
      ) : null}
    </Stack>
  );
}

