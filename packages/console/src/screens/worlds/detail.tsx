/** /worlds/$id: one game world — its settings, its maintenance and its instances (tab in the URL), delete by typing its worldId. */
import { Anchor, Breadcrumbs, Button, Group, Paper, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { deleteGameWorld, updateGameWorld, useGetGameWorld } from '../../api/generated/game-worlds/game-worlds.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { useRefreshWorlds, useWorldEtag, WorldMaintenancePanel, WorldStatusBadges } from './parts.tsx';
import { WorldForm } from './WorldForm.tsx';
import { WorldInstances } from './instances.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/worlds/$id');

export default function GameWorldDetailScreen() {
  const { t } = useTranslation('worlds');
  const { id } = route.useParams();
  const { tab = 'settings' } = route.useSearch();
  const navigate = useNavigate();
  const refresh = useRefreshWorlds();
  const worldId = Number(id);
  const query = useGetGameWorld(worldId, { query: { enabled: Number.isInteger(worldId) && worldId > 0 } });
  const world = query.data;
  const etag = useWorldEtag(world);

  const remove = () =>
    world &&
    confirmDestructive({
      target: t('delete.target', { worldId: world.worldId }),
      typeToConfirm: world.worldId,
      confirmLabel: t('delete.confirm'),
      onConfirm: async (reason) => {
        await deleteGameWorld(world.id, { reason });
        await refresh();
        notify({ color: 'teal', message: t('delete.done', { worldId: world.worldId }) });
        await navigate({ to: '/worlds' });
      },
    });

  return (
    <Stack gap="md" maw={960}>
      <Breadcrumbs>
        <Anchor component={Link} to="/worlds" size="sm">
          {t('title')}
        </Anchor>
        <Text size="sm">{world?.worldId ?? id}</Text>
      </Breadcrumbs>
      {query.error ? (
        <ProblemAlert error={query.error} />
      ) : !world ? (
        <Skeleton height={320} />
      ) : (
        <>
          <Group justify="space-between" align="flex-start">
            <div>
              <Group gap="sm">
                <Title order={2} ff="monospace">
                  {world.worldId}
                </Title>
                <WorldStatusBadges world={world} />
              </Group>
              <Text size="sm" c="dimmed">
                {world.name} · {t('detail.updated')} <Timestamp value={world.updatedAt} />
              </Text>
            </div>
            <Guarded permission="ops.write">
              <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={() => void remove()}>
                {t('actions.delete')}
              </Button>
            </Guarded>
          </Group>
          <Tabs value={tab} onChange={(v) => void navigate({ to: '.', search: { tab: v === 'maintenance' || v === 'instances' ? v : undefined } as never, replace: true })}>
            <Tabs.List>
              <Tabs.Tab value="settings">{t('detail.settings')}</Tabs.Tab>
              <Tabs.Tab value="maintenance">{t('detail.maintenance')}</Tabs.Tab>
              <Tabs.Tab value="instances">{t('detail.instances')}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="settings" pt="md">
              <Paper withBorder p="md">
                <WorldForm
                  world={world}
                  etag={etag}
                  draftKey={`worlds.edit.${world.id}`}
                  submitLabel={t('common:save')}
                  onSubmit={async (body, ifMatch) => {
                    await updateGameWorld(world.id, body, ifMatch ? { headers: { 'If-Match': ifMatch } } : undefined);
                    await refresh();
                    notify({ color: 'teal', message: t('detail.saved', { worldId: body.worldId }) });
                  }}
                />
              </Paper>
            </Tabs.Panel>
            <Tabs.Panel value="maintenance" pt="md">
              <Paper withBorder p="md">
                <WorldMaintenancePanel world={world} />
              </Paper>
            </Tabs.Panel>
            <Tabs.Panel value="instances" pt="md">
              {tab === 'instances' ? <WorldInstances worldId={world.worldId} /> : null}
            </Tabs.Panel>
          </Tabs>
        </>
      )}
    </Stack>
  );
}
