import { Anchor, Badge, Group, Paper, ScrollArea, Skeleton, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { useAllClientVersions } from './all.ts';
import { buildGrid } from './grid.ts';
import type { Openers } from './index.tsx';
import type { Search } from './search.ts';
import { STATUS_COLOR } from './status.ts';

/** Versions shown per cell; the rest are one click away in the list. */
const PER_CELL = 4;

/** Channels × sub-channels, each cell the newest versions with their statuses. */
export function VersionGrid({ open }: { open: Openers }) {
  const { t } = useTranslation('clientVersions');
  const [, setSearch] = useUrlSearch<Search>();
  const list = useAllClientVersions();
  const grid = useMemo(() => buildGrid(list.data ?? []), [list.data]);

  if (list.error) return <ProblemAlert error={list.error} />;
  if (list.isLoading) return <Skeleton h={220} radius="md" />;
  if (grid.channels.length === 0) {
    return (
      <Paper withBorder p="xl">
        <Text c="dimmed" ta="center">
          {t('empty')}
        </Text>
      </Paper>
    );
  }
  return (
    <Stack gap="xs">
      <Paper withBorder>
        <ScrollArea viewportProps={{ tabIndex: 0, 'aria-label': t('grid.corner') }}>
          <Table withColumnBorders verticalSpacing="sm" data-testid="version-grid">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={160}>{t('grid.corner')}</Table.Th>
                {grid.subChannels.map((s) => (
                  <Table.Th key={s} miw={200}>
                    {s}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {grid.channels.map((c) => (
                <Table.Tr key={c}>
                  <Table.Th scope="row">{c}</Table.Th>
                  {grid.subChannels.map((s) => {
                    const versions = grid.cell(c, s);
                    return (
                      <Table.Td key={s} data-cell={`${c}/${s}`} style={{ verticalAlign: 'top' }}>
                        {versions.length === 0 ? (
                          <Text size="xs" c="dimmed">
                            —
                          </Text>
                        ) : (
                          <Stack gap={4}>
                            {versions.slice(0, PER_CELL).map((v) => (
                              <UnstyledButton key={v.id} onClick={() => open.edit(v)} aria-label={t('grid.open', { version: v.version, channel: c, subChannel: s })}>
                                <Group gap={6} wrap="nowrap" justify="space-between">
                                  <Text size="sm" ff="monospace">
                                    {v.version}
                                  </Text>
                                  <Badge size="sm" variant="light" color={STATUS_COLOR[v.status]}>
                                    {t(`status.${v.status}`)}
                                  </Badge>
                                </Group>
                              </UnstyledButton>
                            ))}
                            {versions.length > PER_CELL ? (
                              <Anchor component="button" size="xs" onClick={() => setSearch({ view: 'list', channel: c, subChannel: s })}>
                                {t('grid.more', { count: versions.length - PER_CELL })}
                              </Anchor>
                            ) : null}
                          </Stack>
                        )}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Paper>
    </Stack>
  );
}
