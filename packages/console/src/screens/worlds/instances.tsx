/** A world's running servers (registered by their own heartbeats), and the live figures the worlds list shows. */
import { Badge, Paper, Progress, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useListWorldInstances } from '../../api/generated/game-worlds/game-worlds.ts';
import type { GameWorldLive, WorldInstance } from '../../api/generated/model/index.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';

/** Player counts move without events: the instances and the live figures are read again this often. */
export const LIVE_REFRESH_MS = 10_000;

const STATUS_COLORS: Record<WorldInstance['status'], string> = { starting: 'blue', online: 'teal', draining: 'yellow', stopping: 'gray' };

/** `players / capacity`, with a bar when there is capacity. */
function Load({ players, capacity }: { players: number; capacity: number }) {
  const { i18n } = useTranslation();
  const n = (v: number) => v.toLocaleString(i18n.language);
  return (
    <Stack gap={2} miw={110}>
      <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
        {n(players)} / {n(capacity)}
      </Text>
      {capacity > 0 ? <Progress value={Math.min(100, (players / capacity) * 100)} size="xs" aria-hidden /> : null}
    </Stack>
  );
}

/** The worlds list's cell: live players over capacity and the instances up and down. */
export function LivePlayers({ worldId, live }: { worldId: string; live: GameWorldLive }) {
  const { t } = useTranslation('worlds');
  if (live.instancesUp + live.instancesDown === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid={`players-${worldId}`} style={{ whiteSpace: 'nowrap' }}>
        {t('instances.none')}
      </Text>
    );
  }
  return (
    <div data-testid={`players-${worldId}`}>
      <Load players={live.players} capacity={live.capacity} />
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {t('instances.upCount', { count: live.instancesUp })}
        {live.instancesDown > 0 ? ` · ${t('instances.downCount', { count: live.instancesDown })}` : ''}
      </Text>
    </div>
  );
}

export function WorldInstances({ worldId }: { worldId: string }) {
  const { t, i18n } = useTranslation('worlds');
  const query = useListWorldInstances(worldId, { query: { refetchInterval: LIVE_REFRESH_MS } });
  if (query.error) return <ProblemAlert error={query.error} />;
  if (!query.data) return <Skeleton height={160} />;
  const instances = query.data.data;
  const up = instances.filter((i) => i.up);
  return (
    <Stack gap="sm">
      <Text size="sm" data-testid="instances-summary">
        {t('instances.summary', { players: up.reduce((a, i) => a + i.players, 0).toLocaleString(i18n.language), up: up.length, down: instances.length - up.length })}
      </Text>
      {/* Focusable so that keyboard users can scroll it sideways on narrow screens. */}
      <Paper withBorder style={{ overflowX: 'auto' }} tabIndex={0} aria-label={t('instances.title')}>
        <Table verticalSpacing={6} aria-label={t('instances.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('instances.columns.instance')}</Table.Th>
              <Table.Th>{t('instances.columns.address')}</Table.Th>
              <Table.Th>{t('instances.columns.region')}</Table.Th>
              <Table.Th>{t('instances.columns.players')}</Table.Th>
              <Table.Th>{t('instances.columns.status')}</Table.Th>
              <Table.Th>{t('instances.columns.lastSeen')}</Table.Th>
              <Table.Th>{t('instances.columns.up')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {instances.map((i) => (
              <Table.Tr key={i.instanceId} data-testid={`instance-row-${i.instanceId}`}>
                <Table.Td>
                  <Text size="sm" ff="monospace" fw={600} style={{ whiteSpace: 'nowrap' }}>
                    {i.instanceId}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {i.address}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                    {i.region ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Load players={i.players} capacity={i.capacity} />
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[i.status]} miw="max-content">
                    {t(`instances.status.${i.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">
                    <Timestamp value={i.lastSeenAt} />
                  </Text>
                </Table.Td>
                <Table.Td>
                  {i.up ? (
                    <Badge color="teal" variant="dot" miw="max-content">
                      {t('instances.up')}
                    </Badge>
                  ) : (
                    <Badge color="red" variant="filled" miw="max-content">
                      {t('instances.down')}
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {instances.length === 0 ? (
          <Text c="dimmed" size="sm" ta="center" py="xl" px="md">
            {t('instances.empty')}
          </Text>
        ) : null}
      </Paper>
    </Stack>
  );
}
