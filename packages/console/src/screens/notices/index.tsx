import { ActionIcon, Badge, Button, Group, Pagination, Stack, Switch, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Notice } from '../../api/generated/model/index.ts';
import { deleteNotice, useListNotices, usePatchNotice } from '../../api/generated/notices/notices.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { FilterBar, SearchFilter, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { WindowCell } from '../../components/WindowCell.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { noticeState } from './logic.ts';
import { NoticeForm } from './NoticeForm.tsx';
import { CATEGORIES, STATES, type Search } from './search.ts';

const route = getRouteApi('/_app/notices');
const PATH = '/api/v1/notices';
const LIMIT = 50;
const STATE_COLOR = { live: 'green', disabled: 'gray', scheduled: 'blue', ended: 'orange' } as const;
const CATEGORY_COLOR = { notice: 'gray', event: 'grape', update: 'cyan', maintenance: 'orange', other: 'teal' } as const;

/** /notices: service notices for players, in the order game clients see them; create, edit, enable, delete. */
export default function NoticesScreen() {
  const { t } = useTranslation('notices');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const canWrite = useCan('ops.write');
  const [editing, setEditing] = useState<Notice | 'new' | null>(null);
  const params = {
    page: search.page ?? 1,
    limit: search.limit ?? LIMIT,
    q: search.q,
    category: search.category,
    state: search.state,
    enabled: search.enabled === undefined ? undefined : search.enabled === 'enabled',
  };
  const list = useListNotices(params);
  const refresh = useInvalidatePaths();
  const patch = usePatchNotice({ mutation: { onSettled: () => refresh(PATH) } });

  const columns = useMemo<ColumnDef<Notice>[]>(
    () => [
      {
        id: 'title',
        header: t('col.title'),
        cell: ({ row }) => (
          <Stack gap={2}>
            <Text size="sm" fw={500} lineClamp={1}>
              {row.original.title}
            </Text>
            <Text size="xs" c="dimmed">
              {[t('defaultText'), ...Object.keys(row.original.translations)].join(' · ')}
            </Text>
          </Stack>
        ),
      },
      {
        id: 'category',
        header: t('col.category'),
        size: 120,
        cell: ({ row }) => (
          <Badge variant="light" color={CATEGORY_COLOR[row.original.category]} miw="max-content">
            {t(`category.${row.original.category}`)}
          </Badge>
        ),
      },
      { id: 'priority', header: t('col.priority'), size: 80, cell: ({ row }) => <Text size="sm">{row.original.priority}</Text> },
      {
        id: 'target',
        header: t('col.target'),
        cell: ({ row }) => {
          const n = row.original;
          const parts = [
            n.channels.length ? `${t('form.channels')}: ${n.channels.join(', ')}` : '',
            n.subChannels.length ? `${t('form.subChannels')}: ${n.subChannels.join(', ')}` : '',
            n.worldIds.length ? `${t('form.worldIds')}: ${n.worldIds.join(', ')}` : '',
            n.minVersion || n.maxVersion ? `${t('col.versions')}: ${n.minVersion ?? '…'} – ${n.maxVersion ?? '…'}` : '',
          ].filter(Boolean);
          return (
            <Text size="xs" lineClamp={2} c={parts.length ? undefined : 'dimmed'}>
              {parts.length ? parts.join(' · ') : t('everyone')}
            </Text>
          );
        },
      },
      {
        id: 'window',
        header: t('col.window'),
        cell: ({ row }) => <WindowCell startsAt={row.original.startsAt} endsAt={row.original.endsAt} />,
      },
      {
        id: 'state',
        header: t('col.state'),
        size: 110,
        cell: ({ row }) => {
          const state = noticeState(row.original);
          return (
            <Badge variant="light" color={STATE_COLOR[state]} miw="max-content">
              {t(`state.${state}`)}
            </Badge>
          );
        },
      },
      {
        id: 'actions',
        header: () => <VisuallyHidden>{t('col.actions')}</VisuallyHidden>,
        size: 150,
        cell: ({ row }) => {
          const n = row.original;
          return (
            <Group gap={6} wrap="nowrap" justify="flex-end" onClick={(ev) => ev.stopPropagation()}>
              <Guarded permission="ops.write">
                <Switch size="sm" checked={n.enabled} aria-label={t('toggle', { title: n.title })} onChange={(ev) => patch.mutate({ id: n.id, data: { enabled: ev.currentTarget.checked } })} />
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('edit')}>
                  <ActionIcon variant="subtle" aria-label={t('editNamed', { title: n.title })} onClick={() => setEditing(n)}>
                    <IconPencil size={16} />
                  </ActionIcon>
                </Tooltip>
              </Guarded>
              <Guarded permission="ops.write">
                <Tooltip label={t('delete')}>
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={t('deleteNamed', { title: n.title })}
                    onClick={() =>
                      void confirmDestructive({
                        target: t('target', { title: n.title }),
                        confirmLabel: t('delete'),
                        onConfirm: async (reason) => {
                          await deleteNotice(n.id, { reason });
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
    [t, patch, refresh],
  );

  const pages = list.data?.pagination.totalPages ?? 0;
  const filtered = Boolean(search.q || search.category || search.state || search.enabled);
  return (
    <Stack gap="md">
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Guarded permission="ops.write">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('add')}
          </Button>
        </Guarded>
      </PageHeader>
      <FilterBar names={['q', 'category', 'state', 'enabled']}>
        <SearchFilter placeholder={t('searchPlaceholder')} />
        <SelectFilter name="category" label={t('col.category')} data={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))} w={150} />
        <SelectFilter name="state" label={t('filter.window')} data={STATES.map((s) => ({ value: s, label: t(`filter.${s}`) }))} w={150} />
        <SelectFilter name="enabled" label={t('filter.enabled')} data={[{ value: 'enabled', label: t('filter.on') }, { value: 'disabled', label: t('filter.off') }]} w={150} />
      </FilterBar>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(r) => String(r.id)}
        total={list.data?.pagination.total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        onRowClick={canWrite ? (r) => setEditing(r) : undefined}
        height={560}
        empty={filtered ? t('emptyFiltered') : t('empty')}
      />
      {pages > 1 ? (
        <Group justify="flex-end">
          <Pagination total={pages} value={params.page} onChange={(page) => setSearch({ page }, { keepPage: true })} size="sm" getControlProps={(c) => ({ 'aria-label': t(`pager.${c}`) })} />
        </Group>
      ) : null}
      {editing ? <NoticeForm notice={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} /> : null}
    </Stack>
  );
}
