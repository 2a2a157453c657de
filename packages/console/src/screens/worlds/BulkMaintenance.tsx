/** One maintenance window and message set applied to several worlds, with each world's result. */
import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/errors.ts';
import { setGameWorldMaintenance } from '../../api/generated/game-worlds/game-worlds.ts';
import type { GameWorld } from '../../api/generated/model/index.ts';
import { MaintenanceForm } from '../maintenance/MaintenanceForm.tsx';
import { useMaintenanceLanguages, useRefreshWorlds } from './parts.tsx';

interface Result {
  world: GameWorld;
  error?: string;
}

export function BulkMaintenance({ worlds, onClose }: { worlds: GameWorld[]; onClose: () => void }) {
  const { t } = useTranslation('worlds');
  const languages = useMaintenanceLanguages();
  const refresh = useRefreshWorlds();
  const [results, setResults] = useState<Result[] | null>(null);
  return (
    <Stack gap="md">
      <Group gap={4}>
        {worlds.map((w) => (
          <Badge key={w.id} variant="default" tt="none" ff="monospace">
            {w.worldId}
          </Badge>
        ))}
      </Group>
      {results ? (
        <Table aria-label={t('bulk.results')} data-testid="bulk-results">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('columns.world')}</Table.Th>
              <Table.Th>{t('bulk.result')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {results.map((r) => (
              <Table.Tr key={r.world.id} data-testid={`bulk-result-${r.world.worldId}`}>
                <Table.Td ff="monospace">{r.world.worldId}</Table.Td>
                <Table.Td>
                  {r.error ? (
                    <Text size="sm" c="red">
                      {r.error}
                    </Text>
                  ) : (
                    <Badge color="teal" variant="light">
                      {t('bulk.ok')}
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      <MaintenanceForm
        draftKey="worlds.bulkMaintenance"
        languages={languages}
        submitLabel={t('bulk.apply', { count: worlds.length })}
        onCancel={onClose}
        onSubmit={async (body, reason) => {
          const settled = await Promise.allSettled(worlds.map((w) => setGameWorldMaintenance(w.id, body, { reason })));
          setResults(
            settled.map((s, i) => ({
              world: worlds[i],
              error: s.status === 'rejected' ? (isApiError(s.reason) ? `${s.reason.field ? `${s.reason.field}: ` : ''}${s.reason.detail}` : String(s.reason)) : undefined,
            })),
          );
          await refresh();
        }}
      />
    </Stack>
  );
}
