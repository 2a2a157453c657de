import { ActionIcon, Badge, Button, Code, Group, Modal, Pagination, Progress, Select, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconCopy, IconEye, IconPencil, IconTrash } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { deleteClientVersion, patchClientVersion, useListClientVersions } from '../../api/generated/client-versions/client-versions.ts';
import type { ClientVersion } from '../../api/generated/model/clientVersion.ts';
import type { ClientVersionStatus } from '../../api/generated/model/clientVersionStatus.ts';
import { isApiError } from '../../api/errors.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { DataTable, useSelection } from '../../components/DataTable.tsx';
import { FilterBar, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { allClientVersions, useAllClientVersions } from './all.ts';
import { runBulk, type BulkResult } from './grid.ts';
import type { Openers } from './index.tsx';
import { STATUSES, type Search } from './search.ts';
import { STATUS_COLOR } from './status.ts';

const PATH = '/api/v1/client-versions';
const LIMIT = 50;
const label = (v: ClientVersion) => `${v.channel}/${v.subChannel} ${v.version}`;

/** The filtered list: channel, sub-channel and status in the URL; edit, copy, preview, delete; bulk status change. */
export function VersionList({ search, open }: { search: Search; open: Openers }) {
  const { t } = useTranslation('clientVersions');
  const [, setSearch] = useUrlSearch<Search>();
  const canWrite = useCan('ops.write');
  const refresh = useInvalidatePaths();
  const selection = useSelection();
  const [bulkStatus, setBulkStatus] = useState<ClientVersionStatus | null>(null);
  const [bulk, setBulk] = useState<{ total: number; done: number; results: BulkResult<ClientVersion>[] | null } | null>(null);
  const filter = { channel: search.channel, subChannel: search.subChannel, status: search.status };
  const params = { ...filter, page: search.page ?? 1, limit: search.limit ?? LIMIT };
  const list = useListClientVersions(params);
  const channels = useAllClientVersions();
  const known = useMemo(() => {
    const all = channels.data ?? [];
    return { channels: [...new Set(all.map((v) => v.channel))].sort(), subChannels: [...new Set(all.map((v) => v.subChannel))].sort() };
  }, [channels.data]);

  const applyBulk = async () => {
    if (!bulkStatus) return;
    const rows = list.data?.data ?? [];
    const items = selection.allMatching ? await allClientVersions(filter) : rows.filter((r) => selection.ids.includes(String(r.id)));
    setBulk({ total: items.length, done: 0, results: null });
    const results = await runBulk(items, (v) => patchClientVersion(v.id, { status: bulkStatus }), (done) => setBulk((b) => (b ? { ...b, done } : b)));
    setBulk({ total: items.length, done: items.length, results });
    selection.clear();
    refresh(PATH);
  };

  const columns = useMemo<ColumnDef<ClientVersion>[]>(
    () => [
      {
        id: 'channel',
        header: t('col.channelSub'),
        cell: ({ row }) => (
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {row.original.channel} <Text span c="dimmed" inherit>/ {row.original.subChannel}</Text>
          </Text>
        ),
      },
      { id: 'version', header: t('col.version'), cell: ({ row }) => <Code fz="sm">{row.original.version}</Code> },
      {
        id: 'status',
        header: t('col.status'),
        size: 180,
        cell: ({ row }) => (
          <Badge variant="light" color={STATUS_COLOR[row.original.status]} miw="max-content">
            {t(`status.${row.original.status}`)}
          </Badge>
        ),
      },
      { id: 'minPatch', header: t('col.minPatch'), cell: ({ row }) => <Text size="sm" ff="monospace">{row.original.minPatchVersion ?? '—'}</Text> },
      { id: 'server', header: t('col.server'), cell: ({ row }) => <Text size="sm" lineClamp={1} maw={220}>{row.original.gameServerAddress}</Text> },
      {
        id: 'actions',
        header: () => <VisuallyHidden>{t('col.actions')}</VisuallyHidden>,
        size: 150,
        cell: ({ row }) => {
          const v = row.original;
          return (
            <Group gap={4} wrap="nowrap" justify="flex-end" onClick={(e) => e.stopPropagation()}>
              <Tooltip label={t('preview.open')}>
                <ActionIcon variant="subtle" aria-label={t('preview.openFor', { version: label(v) })} onClick={() => open.preview(v)}>
                  <IconEye size={16} />
                </ActionIcon>
              </Tooltip>
              <Guarded permission="ops.write">
                <Tooltip label={t('copy')}>
                  <ActionIcon variant="subtle" aria-label={t('copyFor', { version: label(v) })} onClick={() => open.copy(v)}>
                    <IconCopy size={16} />
                  </ActionIcon>
                </Tooltip>
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('edit')}>
                  <ActionIcon variant="subtle" aria-label={t('editFor', { version: label(v) })} onClick={() => open.edit(v)}>
                    <IconPencil size={16} />
                  </ActionIcon>
                </Tooltip>
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('delete')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('deleteFor', { version: label(v) })}
                    onClick={() =>
                      void confirmDestructive({
                        target: t('target', { version: label(v) }),
                        typeToConfirm: v.version,
                        confirmLabel: t('delete'),
                        onConfirm: async (reason) => {
                          await deleteClientVersion(v.id, { reason });
                          refresh(PATH);
                        },
                      })
                    }
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                </Tooltip>
              </Guarded>
            </Group>
          );
        },
      },
    ],
    [t, open, refresh],
  );

  const pages = list.data?.pagination.totalPages ?? 0;
  const filtered = Boolean(search.channel || search.subChannel || search.status);
  return (
    <Stack gap="sm">
      <FilterBar names={['channel', 'subChannel', 'status']}>
        <SelectFilter name="channel" label={t('col.channel')} data={known.channels} searchable />
        <SelectFilter name="subChannel" label={t('col.subChannel')} data={known.subChannels} searchable />
        <SelectFilter name="status" label={t('col.status')} data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} w={220} />
      </FilterBar>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(r) => String(r.id)}
        total={list.data?.pagination.total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        selection={canWrite ? selection : undefined}
        onRowClick={canWrite ? open.edit : undefined}
        height={520}
        empty={filtered ? t('emptyFiltered') : t('empty')}
        bulkActions={
          <>
            <Select
              size="xs"
              aria-label={t('bulk.status')}
              placeholder={t('bulk.status')}
              data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
              value={bulkStatus}
              onChange={(v) => setBulkStatus(v as ClientVersionStatus | null)}
              w={220}
            />
            <Button size="xs" disabled={!bulkStatus} onClick={() => void applyBulk()}>
              {t('bulk.apply')}
            </Button>
          </>
        }
      />
      {pages > 1 ? (
        <Group justify="flex-end">
          <Pagination total={pages} value={params.page} onChange={(page) => setSearch({ page }, { keepPage: true })} size="sm" getControlProps={(c) => ({ 'aria-label': t(`pager.${c}`) })} />
        </Group>
      ) : null}
      <Modal opened={bulk !== null} onClose={() => bulk?.results && setBulk(null)} title={t('bulk.title', { status: bulkStatus ? t(`status.${bulkStatus}`) : '' })} size="lg">
        {bulk ? (
          <Stack gap="sm">
            <Progress value={bulk.total ? (100 * bulk.done) / bulk.total : 100} aria-label={t('bulk.progress')} />
            <Text size="sm">
              {bulk.results ? t('bulk.summary', { ok: bulk.results.filter((r) => r.ok).length, failed: bulk.results.filter((r) => !r.ok).length }) : t('bulk.running', { done: bulk.done, total: bulk.total })}
            </Text>
            {bulk.results ? (
              <Table verticalSpacing={4} data-testid="bulk-results">
                <Table.Tbody>
                  {bulk.results.map((r) => (
                    <Table.Tr key={r.item.id}>
                      <Table.Td>{label(r.item)}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={r.ok ? 'green' : 'red'}>
                          {r.ok ? t('bulk.ok') : t('bulk.failed')}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="xs" c="dimmed">
                          {r.error ? (isApiError(r.error) ? r.error.detail : String(r.error)) : ''}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : null}
            {bulk.results ? (
              <Group justify="flex-end">
                <Button onClick={() => setBulk(null)}>{t('common:close')}</Button>
              </Group>
            ) : null}
          </Stack>
        ) : null}
      </Modal>
    </Stack>
  );
}
