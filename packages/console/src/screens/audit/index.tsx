import { Badge, Button, Code, Drawer, Group, NumberInput, Pagination, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { ColumnDef } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { queryString } from '../../api/fetcher.ts';
import { useListAuditLogs } from '../../api/generated/audit/audit.ts';
import type { AuditLog } from '../../api/generated/model/auditLog.ts';
import type { ListAuditLogsParams } from '../../api/generated/model/listAuditLogsParams.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { FilterBar, SearchFilter, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { downloadCsv } from '../../lib/downloadCsv.ts';
import { useLiveEvents } from '../../lib/useLiveEvents.ts';
import { changeCount, diffFields, formatValue, type DiffKind } from './diff.ts';
import type { Search } from './search.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/audit');
const LIMIT = 50;

/** Action prefixes (`user.*`) and the actions the server writes, for the action filter. */
const ACTION_GROUPS = {
  user: ['user.create', 'user.update', 'user.suspend', 'user.unsuspend', 'user.delete', 'user.password_reset', 'user.session_revoke', 'user.unlock', 'users.exported'],
  world: ['world.create', 'world.update', 'world.delete', 'world.maintenance', 'world.reorder'],
  maintenance: ['maintenance.update'],
  whitelist: ['whitelist.create', 'whitelist.update', 'whitelist.delete'],
  client_version: ['client_version.create', 'client_version.update', 'client_version.delete'],
  api_key: ['api_key.create', 'api_key.revoke'],
  webhook: ['webhook.create', 'webhook.update', 'webhook.delete', 'webhook.test', 'webhook.retry', 'webhook.retry_bulk', 'webhook.recover', 'webhook.rotate_secret'],
  auth: ['auth.login', 'auth.password_change'],
  audit: ['audit.exported'],
};
const TARGET_TYPES = ['user', 'world', 'maintenance', 'whitelist', 'client_version', 'api_key', 'webhook', 'audit', 'monitoring'];
const FILTERS = ['q', 'actorType', 'actorId', 'action', 'targetType', 'targetId', 'from', 'to'];
const KIND_COLOR: Record<DiffKind, string> = { added: 'teal', removed: 'red', changed: 'yellow', unchanged: 'gray' };

/** The server's list filters from the URL (shared by the list and the CSV export). */
function filters(s: Search): Omit<ListAuditLogsParams, 'page' | 'limit'> {
  return { q: s.q, actorType: s.actorType, actorId: s.actorId, action: s.action, targetType: s.targetType, targetId: s.targetId, from: s.from, to: s.to };
}

/** /audit: who changed what, when and why; filters in the URL, a before/after diff per entry, CSV export. */
export default function AuditLogScreen() {
  const { t } = useTranslation(['audit', 'common']);
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const params = { ...filters(search), page: search.page ?? 1, limit: search.limit ?? LIMIT };
  const list = useListAuditLogs(params);
  // Every change writes an entry: refresh the list on each live event.
  useLiveEvents(() => undefined, { invalidate: ['/api/v1/audit-logs'] });
  const [exporting, setExporting] = useState(false);
  const rows = list.data?.data;
  const open = rows?.find((r) => r.id === search.entry);

  const columns = useMemo<ColumnDef<AuditLog>[]>(
    () => [
      { id: 'createdAt', header: t('columns.time'), size: 190, cell: ({ row }) => <Timestamp value={row.original.createdAt} /> },
      {
        id: 'actor',
        header: t('columns.actor'),
        size: 180,
        cell: ({ row }) => (
          <Group gap={6} wrap="nowrap">
            <Text size="sm" truncate>
              {row.original.actorName ?? (row.original.actorId ? `#${row.original.actorId}` : t('actor.system'))}
            </Text>
            {row.original.actorType !== 'user' ? (
              <Badge size="xs" variant="default">
                {t(`actorType.${row.original.actorType}`)}
              </Badge>
            ) : null}
          </Group>
        ),
      },
      { id: 'action', header: t('columns.action'), size: 200, cell: ({ row }) => <Code>{row.original.action}</Code> },
      {
        id: 'target',
        header: t('columns.target'),
        size: 180,
        cell: ({ row }) => (
          <Text size="sm" truncate>
            {row.original.targetType}
            {row.original.targetId ? <Text span c="dimmed">{` #${row.original.targetId}`}</Text> : null}
          </Text>
        ),
      },
      {
        id: 'reason',
        header: t('columns.reason'),
        size: 260,
        cell: ({ row }) => (
          <Text size="sm" truncate c={row.original.reason ? undefined : 'dimmed'}>
            {row.original.reason ?? '—'}
          </Text>
        ),
      },
    ],
    [t],
  );

  const exportCsv = async () => {
    setExporting(true);
    try {
      await downloadCsv(`/api/v1/audit-logs/export.csv${queryString(filters(search))}`, 'audit-log.csv');
    } catch (err) {
      notify({ color: 'red', title: t('common:download.failed'), message: err instanceof Error ? err.message : String(err) });
    } finally {
      setExporting(false);
    }
  };

  const total = list.data?.pagination.total;
  return (
    <Stack>
      <PageHeader title={t('title')}>
        <Button variant="default" leftSection={<IconDownload size={16} />} loading={exporting} onClick={() => void exportCsv()}>
          {t('export')}
        </Button>
      </PageHeader>
      <FilterBar names={FILTERS}>
        <SearchFilter label={t('filters.q')} placeholder={t('filters.qPlaceholder')} w={220} />
        <SelectFilter
          name="action"
          label={t('filters.action')}
          searchable
          w={210}
          data={Object.entries(ACTION_GROUPS).map(([prefix, actions]) => ({ group: prefix, items: [{ value: `${prefix}.*`, label: t('filters.prefix', { prefix }) }, ...actions.filter((a) => a.startsWith(`${prefix}.`))] }))}
        />
        <SelectFilter name="actorType" label={t('filters.actorType')} w={140} data={(['user', 'api_key', 'system'] as const).map((v) => ({ value: v, label: t(`actorType.${v}`) }))} />
        <NumberInput
          label={t('filters.actorId')}
          w={110}
          min={1}
          allowDecimal={false}
          value={search.actorId ?? ''}
          onChange={(v) => setSearch({ actorId: typeof v === 'number' && v >= 1 ? v : undefined })}
        />
        <SelectFilter name="targetType" label={t('filters.targetType')} w={160} data={TARGET_TYPES.map((v) => ({ value: v, label: v }))} />
        <SearchFilter name="targetId" label={t('filters.targetId')} placeholder="123" w={110} />
        <DateFilter name="from" label={t('filters.from')} value={search.from} />
        <DateFilter name="to" label={t('filters.to')} value={search.to} />
      </FilterBar>
      <DataTable
        data={rows}
        columns={columns}
        getRowId={(r) => String(r.id)}
        total={total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        onRowClick={(r) => setSearch({ entry: r.id }, { keepPage: true })}
        height={560}
        empty={
          <Stack gap={2} align="center">
            <Text fw={600}>{t('empty.title')}</Text>
            <Text size="sm" c="dimmed">
              {t('empty.body')}
            </Text>
          </Stack>
        }
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {total !== undefined ? t('total', { count: total }) : null}
        </Text>
        {list.data && list.data.pagination.totalPages > 1 ? (
          <Pagination total={list.data.pagination.totalPages} value={params.page} onChange={(page) => setSearch({ page }, { keepPage: true })} size="sm" />
        ) : null}
      </Group>
      <Drawer opened={search.entry !== undefined} onClose={() => setSearch({ entry: undefined }, { keepPage: true })} position="right" size="xl" title={t('detail.title', { id: search.entry })}>
        {open ? <EntryDetail entry={open} /> : <Text c="dimmed">{list.isLoading ? t('common:loading') : t('detail.notOnPage')}</Text>}
      </Drawer>
    </Stack>
  );
}

/** A time filter bound to `?<name>=` (ISO); the input shows the browser's local time. */
function DateFilter({ name, label, value }: { name: 'from' | 'to'; label: string; value: string | undefined }) {
  const [, setSearch] = useUrlSearch<Search>();
  const local = value ? toLocalInput(new Date(value)) : '';
  return (
    <TextInput
      type="datetime-local"
      label={label}
      w={200}
      value={local}
      onChange={(e) => {
        const v = e.currentTarget.value;
        const d = v ? new Date(v) : undefined;
        setSearch({ [name]: d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined });
      }}
    />
  );
}

function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function EntryDetail({ entry }: { entry: AuditLog }) {
  const { t } = useTranslation('audit');
  const [, setSearch] = useUrlSearch<Search>();
  const [showUnchanged, setShowUnchanged] = useState(false);
  const diff = useMemo(() => diffFields(entry.before, entry.after), [entry]);
  const shown = showUnchanged ? diff : diff.filter((d) => d.kind !== 'unchanged');
  const meta: [string, ReactNode][] = [
    [t('columns.time'), <Timestamp key="t" value={entry.createdAt} />],
    [t('columns.actor'), `${entry.actorName ?? '—'} (${t(`actorType.${entry.actorType}`)}${entry.actorId ? ` #${entry.actorId}` : ''})`],
    [t('columns.action'), <Code key="a">{entry.action}</Code>],
    [t('columns.target'), `${entry.targetType}${entry.targetId ? ` #${entry.targetId}` : ''}`],
    [t('detail.ip'), entry.ip ?? '—'],
    [t('detail.requestId'), entry.requestId ? <Code key="r">{entry.requestId}</Code> : '—'],
  ];
  return (
    <Stack>
      <Table withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {meta.map(([k, v]) => (
            <Table.Tr key={k}>
              <Table.Th w={140} c="dimmed" fw={500}>
                {k}
              </Table.Th>
              <Table.Td>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Stack gap={4}>
        <Text fw={600} size="sm">
          {t('detail.reason')}
        </Text>
        <Text size="sm" c={entry.reason ? undefined : 'dimmed'} data-testid="audit-reason" style={{ whiteSpace: 'pre-wrap' }}>
          {entry.reason ?? t('detail.noReason')}
        </Text>
      </Stack>
      <Group justify="space-between">
        <Text fw={600} size="sm">
          {t('detail.changes', { count: changeCount(diff) })}
        </Text>
        <Switch label={t('detail.showUnchanged')} checked={showUnchanged} onChange={(e) => setShowUnchanged(e.currentTarget.checked)} size="sm" />
      </Group>
      {shown.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('detail.noChanges')}
        </Text>
      ) : (
        <Table withTableBorder striped={false} layout="fixed" data-testid="audit-diff">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="34%">{t('detail.field')}</Table.Th>
              <Table.Th>{t('detail.before')}</Table.Th>
              <Table.Th>{t('detail.after')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((d) => (
              <Table.Tr key={d.path} data-kind={d.kind}>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Badge size="xs" variant="dot" color={KIND_COLOR[d.kind]} tt="none">
                      {t(`kind.${d.kind}`)}
                    </Badge>
                    <Text size="sm" ff="monospace" truncate>
                      {d.path || t('detail.value')}
                    </Text>
                  </Group>
                </Table.Td>
                <Table.Td bg={d.kind === 'removed' || d.kind === 'changed' ? 'var(--mantine-color-red-light)' : undefined}>
                  <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                    {formatValue(d.before)}
                  </Text>
                </Table.Td>
                <Table.Td bg={d.kind === 'added' || d.kind === 'changed' ? 'var(--mantine-color-teal-light)' : undefined}>
                  <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                    {formatValue(d.after)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        {entry.actorId ? (
          <Button variant="subtle" size="xs" onClick={() => setSearch({ actorType: entry.actorType, actorId: entry.actorId ?? undefined, entry: undefined })}>
            {t('detail.byActor')}
          </Button>
        ) : null}
        {entry.targetId ? (
          <Button variant="subtle" size="xs" onClick={() => setSearch({ targetType: entry.targetType, targetId: entry.targetId ?? undefined, entry: undefined })}>
            {t('detail.onTarget')}
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
