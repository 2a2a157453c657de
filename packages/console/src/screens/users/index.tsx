import '@mantine/dates/styles.css';
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconChevronRight, IconChevronsLeft, IconDownload, IconUserPlus } from '@tabler/icons-react';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useListUsers } from '../../api/generated/users/users.ts';
import type { User } from '../../api/generated/model/user.ts';
import { DataTable, useSelection } from '../../components/DataTable.tsx';
import { FilterBar, SearchFilter, SelectFilter, useUrlSearch, useUrlSort } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { downloadCsv } from '../../lib/downloadCsv.ts';
import { useTimeZoneMode } from '../../lib/preferences.ts';
import { BulkActions, BulkResultPanel, type BulkOutcome } from './BulkActions.tsx';
import { CreateUserModal } from './CreateUserModal.tsx';
import { RoleBadge, StatusBadge } from './badges.tsx';
import { DayRangeFilter } from './DayRangeFilter.tsx';
import { DEFAULT_LIMIT, exportQuery, filterOf, listParamsOf, PAGE_SIZES, ROLES, sortOf, STATUSES } from './model.ts';
import type { Search } from './search.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/users');
const FILTERS = ['q', 'role', 'status', 'createdFrom', 'createdTo', 'lastLoginFrom', 'lastLoginTo'];

/** /users: search, filter, sort and page (by keyset cursor) through the accounts; bulk changes, CSV export, create. */
export default function UsersScreen() {
  const { t } = useTranslation('users');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const navigate = useNavigate();
  const zone = useTimeZoneMode();
  const sortProps = useUrlSort();
  const params = useMemo(() => listParamsOf(search, zone), [search, zone]);
  const filter = useMemo(() => filterOf(search, zone), [search, zone]);
  const list = useListUsers(params, { query: { placeholderData: (prev) => prev } });
  const selection = useSelection();
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const filterKey = JSON.stringify(filter);
  const clearSelection = selection.clear;
  // A new filter or sort selects nothing of the old one.
  useEffect(() => clearSelection(), [filterKey, search.sort, clearSelection]);

  const columns = useMemo<ColumnDef<User, unknown>[]>(
    () => [
      { id: 'id', accessorKey: 'id', header: t('col.id'), size: 80, cell: ({ row }) => <Text size="sm" ta="right" ff="monospace">{row.original.id}</Text> },
      { id: 'username', accessorKey: 'username', header: t('col.username'), cell: ({ row }) => <Text size="sm" fw={500}>{row.original.username}</Text> },
      { id: 'email', accessorKey: 'email', header: t('col.email'), enableSorting: false, cell: ({ row }) => <Text size="sm" truncate="end" maw={280}>{row.original.email}</Text> },
      { id: 'role', header: t('col.role'), enableSorting: false, size: 110, cell: ({ row }) => <RoleBadge role={row.original.role} /> },
      { id: 'status', header: t('col.status'), enableSorting: false, size: 170, cell: ({ row }) => <StatusBadge user={row.original} /> },
      { id: 'createdAt', accessorKey: 'createdAt', header: t('col.createdAt'), size: 190, cell: ({ row }) => <Timestamp value={row.original.createdAt} withSeconds={false} /> },
      { id: 'lastLoginAt', accessorKey: 'lastLoginAt', header: t('col.lastLoginAt'), size: 190, cell: ({ row }) => <Timestamp value={row.original.lastLoginAt} withSeconds={false} /> },
    ],
    [t],
  );

  const total = list.data?.pagination.total;
  const nextCursor = list.data?.nextCursor ?? null;
  const page = search.page ?? 1;
  const limit = search.limit ?? DEFAULT_LIMIT;
  const filtered = FILTERS.some((f) => search[f as keyof Search] !== undefined);

  const goPage = (patch: Partial<Search>) => {
    selection.clear();
    // A page is a history entry: Back returns to the previous page.
    void navigate({ to: '.', search: (prev: Search) => ({ ...prev, ...patch }) } as never);
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      await downloadCsv(`/api/v1/users/export.csv${exportQuery(filter, sortOf(search.sort))}`, 'users.csv');
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} subtitle={t('list.subtitle')}>
        <Group gap="xs">
          <Button variant="default" leftSection={<IconDownload size={16} />} loading={exporting} onClick={() => void exportCsv()}>
            {t('list.export')}
          </Button>
          <Guarded permission="users.write">
            <Button leftSection={<IconUserPlus size={16} />} onClick={() => setCreating(true)}>
              {t('create.open')}
            </Button>
          </Guarded>
        </Group>
      </PageHeader>

      <FilterBar names={FILTERS}>
        <SearchFilter label={t('filter.q')} placeholder={t('filter.qPlaceholder')} w={240} />
        <SelectFilter name='role' label={t('col.role')} w={130} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
        <SelectFilter name='status' label={t('col.status')} w={130} data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
        <DayRangeFilter from="createdFrom" to="createdTo" label={t('filter.created')} />
        <DayRangeFilter from="lastLoginFrom" to="lastLoginTo" label={t('filter.lastLogin')} />
      </FilterBar>

      <ProblemAlert error={exportError} title={t('list.exportFailed')} />
      {outcome ? <BulkResultPanel outcome={outcome} onClose={() => setOutcome(null)} /> : null}

      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(u) => String(u.id)}
        total={total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        {...sortProps}
        selection={selection}
        onRowClick={(u) => void navigate({ to: '/users/$id', params: { id: String(u.id) } })}
        height="calc(100vh - 330px)"
        empty={filtered ? t('list.emptyFiltered') : t('list.empty')}
        bulkActions={<BulkActions selection={selection} filter={filter} total={total ?? 0} onDone={(o) => { setOutcome(o); selection.clear(); }} />}
      />

      <Group justify="space-between" gap="sm">
        <Group gap="xs">
          <Select
            aria-label={t('list.pageSize')}
            w={130}
            size="xs"
            value={String(limit)}
            data={PAGE_SIZES.map((n) => ({ value: String(n), label: t('list.perPage', { count: n }) }))}
            onChange={(v) => setSearch({ limit: v ? Number(v) : undefined })}
            allowDeselect={false}
          />
          {total !== undefined ? (
            <Text size="sm" c="dimmed" data-testid="page-of">
              {t(list.data?.pagination.totalExact === false ? 'list.pageOfAbout' : 'list.pageOf', { page, pages: Math.max(1, Math.ceil(total / limit)) })}
            </Text>
          ) : null}
        </Group>
        <Group gap="xs">
          <Button variant="default" size="xs" leftSection={<IconChevronsLeft size={14} />} disabled={!search.cursor} onClick={() => goPage({ cursor: undefined, page: undefined })}>
            {t('list.first')}
          </Button>
          <Button
            variant="default"
            size="xs"
            rightSection={<IconChevronRight size={14} />}
            disabled={!nextCursor || list.isPlaceholderData}
            onClick={() => goPage({ cursor: nextCursor ?? undefined, page: page + 1 })}
          >
            {t('list.next')}
          </Button>
        </Group>
      </Group>

      <CreateUserModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(u) => {
          setCreating(false);
          notify({ color: 'green', message: t('create.done', { username: u.username }) });
        }}
      />
    </Stack>
  );
}
