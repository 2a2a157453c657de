import '@mantine/dates/styles.css';
import { Anchor, Button, Group, Paper, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { deleteUser, useGetUser } from '../../api/generated/users/users.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { AuditTrail } from './AuditTrail.tsx';
import { RoleBadge, StatusBadge } from './badges.tsx';
import { ProfileForm } from './ProfileForm.tsx';
import { SecurityPanel } from './SecurityPanel.tsx';
import { SessionsPanel } from './SessionsPanel.tsx';
import type { DetailSearch } from './search.ts';

const route = getRouteApi('/_app/users/$id');
type Tab = NonNullable<DetailSearch['tab']>;

/** /users/$id: one account — profile edit with a diff, suspension, lockout, password reset, sessions, audit trail, delete. */
export default function UserDetailScreen() {
  const { t } = useTranslation('users');
  const { id: rawId } = route.useParams();
  const { tab = 'profile' } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const id = Number(rawId);
  const valid = Number.isInteger(id) && id > 0;
  const user = useGetUser(id, { query: { enabled: valid } });

  const back = (
    <Anchor component={Link} to="/users" size="sm">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('detail.back')}
      </Group>
    </Anchor>
  );
  if (!valid || user.error) {
    return (
      <Stack>
        {back}
        <ProblemAlert error={user.error ?? new Error(t('detail.badId'))} />
      </Stack>
    );
  }
  const u = user.data;
  const remove = () =>
    u &&
    void confirmDestructive({
      target: t('detail.deleteTarget', { username: u.username }),
      typeToConfirm: u.username,
      confirmLabel: t('detail.delete'),
      onConfirm: async (reason) => {
        await deleteUser(u.id, { reason });
        await queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
        void navigate({ to: '/users' });
      },
    });

  return (
    <Stack gap="md">
      {back}
      <Group justify="space-between" align="flex-start">
        {u ? (
          <Stack gap={4}>
            <Group gap="sm">
              <Title order={2}>{u.username}</Title>
              <RoleBadge role={u.role} />
              <StatusBadge user={u} />
            </Group>
            <Text size="sm" c="dimmed">
              #{u.id} · {u.email}
              {u.displayName ? ` · ${u.displayName}` : ''}
            </Text>
          </Stack>
        ) : (
          <Skeleton h={48} w={320} />
        )}
        <Guarded permission="users.write">
          <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={remove} disabled={!u}>
            {t('detail.delete')}
          </Button>
        </Guarded>
      </Group>

      <Tabs value={tab} onChange={(v) => void navigate({ to: '/users/$id', params: { id: rawId }, search: { tab: v === 'profile' ? undefined : (v as Tab) }, replace: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="profile">{t('detail.tab.profile')}</Tabs.Tab>
          <Tabs.Tab value="security">{t('detail.tab.security')}</Tabs.Tab>
          <Tabs.Tab value="sessions">{t('detail.tab.sessions')}</Tabs.Tab>
          <Tabs.Tab value="audit">{t('detail.tab.audit')}</Tabs.Tab>
        </Tabs.List>
        <Paper withBorder p="md" mt="sm">
          {!u ? (
            <Stack>
              <Skeleton h={36} />
              <Skeleton h={36} />
              <Skeleton h={36} />
            </Stack>
          ) : (
            <>
              <Tabs.Panel value="profile">
                <ProfileForm user={u} />
              </Tabs.Panel>
              <Tabs.Panel value="security">
                <SecurityPanel user={u} />
              </Tabs.Panel>
              <Tabs.Panel value="sessions">
                <SessionsPanel user={u} />
              </Tabs.Panel>
              <Tabs.Panel value="audit">
                <AuditTrail userId={u.id} />
              </Tabs.Panel>
            </>
          )}
        </Paper>
      </Tabs>
    </Stack>
  );
}
