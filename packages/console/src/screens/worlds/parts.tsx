/** Pieces the worlds list and a world's page share: status badges, the languages in use, a world's maintenance panel. */
import { Alert, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { IconClock, IconTool } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetchRaw } from '../../api/fetcher.ts';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { setGameWorldMaintenance, useListGameWorlds } from '../../api/generated/game-worlds/game-worlds.ts';
import { useGetMaintenance } from '../../api/generated/maintenance/maintenance.ts';
import type { GameWorld } from '../../api/generated/model/index.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { languagesInUse, windowPhase } from '../maintenance/logic.ts';
import { MaintenanceForm } from '../maintenance/MaintenanceForm.tsx';

/** Every world (the list endpoint's largest page): worlds are few, the list shows them all in display order. */
export const ALL_WORLDS = { page: 1, limit: 100 } as const;

export function worldPhase(w: GameWorld, now = Date.now()) {
  return windowPhase({ active: w.maintenance, startsAt: w.maintenanceStartsAt, endsAt: w.maintenanceEndsAt }, now);
}

/** open / maintenance / scheduled maintenance, plus hidden. */
export function WorldStatusBadges({ world }: { world: GameWorld }) {
  const { t } = useTranslation('worlds');
  const phase = worldPhase(world);
  return (
    <Group gap={4} wrap="nowrap" data-testid={`status-${world.worldId}`}>
      {phase === 'active' ? (
        <Badge color="orange.5" variant="filled" autoContrast miw="max-content" leftSection={<IconTool size={12} aria-hidden />}>
          {t('status.maintenance')}
        </Badge>
      ) : phase === 'scheduled' ? (
        <Badge color="blue" variant="dot" miw="max-content" leftSection={<IconClock size={12} aria-hidden />}>
          {t('status.scheduled')}
        </Badge>
      ) : (
        <Badge color="teal" variant="dot" miw="max-content">
          {t('status.open')}
        </Badge>
      )}
      {!world.visible ? (
        <Badge variant="default">
          {t('status.hidden')}
        </Badge>
      ) : null}
    </Group>
  );
}

/** Languages used by the worlds' and global maintenance messages, ko and en first. */
export function useMaintenanceLanguages(): string[] {
  const worlds = useListGameWorlds(ALL_WORLDS);
  const global = useGetMaintenance();
  return useMemo(
    () => languagesInUse([...(worlds.data?.data ?? []).map((w) => w.maintenanceMessages), global.data?.messages ?? {}]),
    [worlds.data, global.data],
  );
}

/** The ETag of `world` as loaded (for `If-Match`: a save made over someone else's change is refused with 412). */
export function useWorldEtag(world: GameWorld | undefined): string | undefined {
  const query = useQuery({
    queryKey: ['/api/v1/game-worlds', world?.id, 'etag', world?.updatedAt],
    enabled: Boolean(world),
    staleTime: Infinity,
    queryFn: async ({ signal }) => (await apiFetchRaw(`/api/v1/game-worlds/${world!.id}`, { signal })).headers.get('etag'),
  });
  return query.data ?? undefined;
}

/** Refreshes every cached game-world query (list and items) after a write. */
export function useRefreshWorlds(): () => Promise<void> {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && q.queryKey[0].startsWith('/api/v1/game-worlds') });
}

/** A world's maintenance: where it stands, end it now, and the form to start or schedule it. */
export function WorldMaintenancePanel({ world, onDone }: { world: GameWorld; onDone?: () => void }) {
  const { t } = useTranslation('worlds');
  const languages = useMaintenanceLanguages();
  const refresh = useRefreshWorlds();
  const phase = worldPhase(world);
  const endNow = () =>
    confirmDestructive({
      target: t('maintenance.endTarget', { worldId: world.worldId }),
      confirmLabel: t('maintenance.endNow'),
      onConfirm: async (reason) => {
        await setGameWorldMaintenance(world.id, { enabled: false }, { reason });
        await refresh();
      },
    });
  return (
    <Stack gap="md">
      {phase !== 'off' ? (
        <Alert color={phase === 'active' ? 'orange' : 'yellow'} variant="light" title={t(phase === 'active' ? 'maintenance.activeTitle' : 'maintenance.scheduledTitle')}>
          <Group justify="space-between" align="flex-end">
            <Stack gap={2}>
              <Text size="sm">
                {t('maintenance.from')} <Timestamp value={world.maintenanceStartsAt} /> · {t('maintenance.until')}{' '}
                {world.maintenanceEndsAt ? <Timestamp value={world.maintenanceEndsAt} /> : t('maintenance.untilEnded')}
              </Text>
            </Stack>
            <Guarded permission="ops.write">
              <Button color="red" variant="light" onClick={() => void endNow()}>
                {t(phase === 'active' ? 'maintenance.endNow' : 'maintenance.cancelSchedule')}
              </Button>
            </Guarded>
          </Group>
        </Alert>
      ) : (
        <Text size="sm" c="dimmed">
          {t('maintenance.none')}
        </Text>
      )}
      <MaintenanceForm
        draftKey={`worlds.maintenance.${world.id}`}
        initial={{ message: world.maintenanceMessage, messages: world.maintenanceMessages, startsAt: world.maintenanceStartsAt, endsAt: world.maintenanceEndsAt }}
        languages={languages}
        submitLabel={t(phase === 'off' ? 'maintenance.apply' : 'maintenance.update')}
        onSubmit={async (body, reason) => {
          await setGameWorldMaintenance(world.id, body, { reason });
          await refresh();
        }}
        onDone={onDone}
      />
    </Stack>
  );
}
