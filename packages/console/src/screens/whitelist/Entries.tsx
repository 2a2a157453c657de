import { ActionIcon, Badge, Button, Code, Group, Pagination, Stack, Switch, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { deleteWhitelistEntry, useListWhitelistEntries, usePatchWhitelistEntry } from '../../api/generated/whitelist/whitelist.ts';
import type { WhitelistEntry } from '../../api/generated/model/whitelistEntry.ts';
import { useCan } from '../../auth/useCan.ts';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { FilterBar, SearchFilter, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { WindowCell } from '../../components/WindowCell.tsx';
import { EntryForm } from './EntryForm.tsx';
import type { Search } from './search.ts';
import { windowState } from './window.ts';

const LIMIT = 50;
const PATH = '/api/v1/whitelist';
const STATE_COLOR = { active: 'green', disabled: 'gray', scheduled: 'blue', ended: 'orange' } as const;

/** The entries tab: filters in the URL, the table, create / edit / enable / delete. */
export function Entries({ search }: { search: Search }) {
  const { t } = useTranslation('whitelist');
  const [, setSearch] = useUrlSearch<Search>();
  const canWrite = useCan('ops.write');
  const [editing, setEditing] = useState<WhitelistEntry | 'new' | null>(null);
  const limit = search.limit ?? LIMIT;
  const params = {
    page: search.page ?? 1,
    limit,
    q: search.q,
    type: search.type,
    enabled: search.state === undefined ? undefined : search.state === 'enabled',
  };
  const list = useListWhitelistEntries(params);
  const refresh = useInvalidatePaths();
  const patch = usePatchWhitelistEntry({ mutation: { onSettled: () => refresh(PATH) } });

  const columns = useMemo<ColumnDef<WhitelistEntry>[]>(
    () => [
      {
        id: 'type',
        header: t('filter.type'),
        size: 110,
        cell: ({ row }) => (
          <Badge variant="light" color={row.original.type === 'ip' ? 'grape' : 'cyan'} miw="max-content">
            {t(`type.${row.original.type}`)}
          </Badge>
        ),
      },
      { id: 'value', header: t('col.value'), cell: ({ row }) => <Code fz="sm" style={{ whiteSpace: 'nowrap' }}>{row.original.value}</Code> },
      { id: 'memo', header: t('col.memo'), cell: ({ row }) => <Text size="sm" lineClamp={1}>{row.original.memo ?? '—'}</Text> },
      {
        id: 'state',
        header: t('col.state'),
        size: 110,
        cell: ({ row }) => {
          const state = windowState(row.original);
          return (
            <Badge variant="light" color={STATE_COLOR[state]} miw="max-content">
              {t(`state.${state}`)}
            </Badge>
          );
        },
      },
      {
        id: 'window',
        header: t('col.window'),
        cell: ({ row }) => <WindowCell startsAt={row.original.startsAt} endsAt={row.original.endsAt} />,
      },
      { id: 'updatedAt', header: t('col.updated'), cell: ({ row }) => <Text size="sm"><Timestamp value={row.original.updatedAt} withSeconds={false} /></Text> },
      {
        id: 'actions',
        header: () => <VisuallyHidden>{t('col.actions')}</VisuallyHidden>,
        size: 150,
        cell: ({ row }) => {
          const e = row.original;
          return (
            <Group gap={6} wrap="nowrap" justify="flex-end" onClick={(ev) => ev.stopPropagation()}>
              <Guarded permission="ops.write">
                <Switch
                  size="sm"
                  checked={e.enabled}
                  aria-label={t('toggle', { value: e.value })}
                  onChange={(ev) => patch.mutate({ id: e.id, data: { enabled: ev.currentTarget.checked } })}
                />
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('edit')}>
                  <ActionIcon variant="subtle" aria-label={t('editValue', { value: e.value })} onClick={() => setEditing(e)}>
                    <IconPencil size={16} />
                  </ActionIcon>
                </Tooltip>
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('delete')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('deleteValue', { value: e.value })}
                    onClick={() => void confirmDestructive({ target: t('target', { value: e.value }), confirmLabel: t('delete'), onConfirm: async (reason) => {
                          await deleteWhitelistEntry(e.id, { reason });
                          refresh(PATH);
                        } })}
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
    [t, patch, refresh],
  );

  const total = list.data?.pagination.total;
  const pages = list.data?.pagination.totalPages ?? 0;
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <FilterBar names={['q', 'type', 'state']}>
          <SearchFilter placeholder={t('searchPlaceholder')} />
          <SelectFilter name="type" label={t('filter.type')} data={[{ value: 'account', label: t('type.account') }, { value: 'ip', label: t('type.ip') }]} w={150} />
          <SelectFilter name="state" label={t('filter.state')} data={[{ value: 'enabled', label: t('state.enabled') }, { value: 'disabled', label: t('state.disabled') }]} w={150} />
        </FilterBar>
        <Guarded permission="ops.write">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('add')}
          </Button>
        </Guarded>
      </Group>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(r) => String(r.id)}
        total={total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        onRowClick={canWrite ? (r) => setEditing(r) : undefined}
        height={520}
        empty={search.q || search.type || search.state ? t('emptyFiltered') : t('empty')}
      />
      {pages > 1 ? (
        <Group justify="flex-end">
          <Pagination total={pages} value={params.page} onChange={(page) => setSearch({ page }, { keepPage: true })} size="sm" getControlProps={(c) => ({ 'aria-label': t(`pager.${c}`) })} />
        </Group>
      ) : null}
      {editing ? <EntryForm entry={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} /> : null}
    </Stack>
  );
}
