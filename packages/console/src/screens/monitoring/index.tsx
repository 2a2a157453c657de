import { Accordion, Alert, Badge, Button, Code, Group, Modal, Paper, ScrollArea, SegmentedControl, SimpleGrid, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconChartLine, IconCheck } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { apiFetchRaw } from '../../api/fetcher.ts';
import { problemFrom } from '../../api/errors.ts';
import type { RouteMetrics } from '../../api/generated/model/routeMetrics.ts';
import type { ServerErrorGroup } from '../../api/generated/model/serverErrorGroup.ts';
import { resolveServerError, useGetMonitoringTimeSeries, useGetRequestMetrics, useListServerErrors } from '../../api/generated/monitoring/monitoring.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useUrlSearch, useUrlSort } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { TimeChart } from '../../components/TimeChart.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import type { Search } from './search.ts';
import { columns as toColumns, formatCount, formatMs, formatPercent, sortRows, WINDOWS } from './series.ts';
import { PageHeader } from '../../components/PageHeader.tsx';

const route = getRouteApi('/_app/monitoring');
const REFRESH_MS = 30_000;

/** /monitoring: charts of the cluster time series, request metrics per route, server error groups. */
export default function MonitoringScreen() {
  const { t } = useTranslation('monitoring');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const tab = search.tab ?? 'overview';
  return (
    <Stack>
      <PageHeader title={t('title')}>
        <PrometheusButton />
      </PageHeader>
      <Tabs value={tab} onChange={(v) => setSearch({ tab: v === 'overview' ? undefined : (v as Search['tab']), sort: undefined })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">{t('tabs.overview')}</Tabs.Tab>
          <Tabs.Tab value="routes">{t('tabs.routes')}</Tabs.Tab>
          <Tabs.Tab value="errors">{t('tabs.errors')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Overview />
        </Tabs.Panel>
        <Tabs.Panel value="routes" pt="md">
          <Routes />
        </Tabs.Panel>
        <Tabs.Panel value="errors" pt="md">
          <Errors />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Overview() {
  const { t, i18n } = useTranslation('monitoring');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const window = search.window ?? '1h';
  const ts = useGetMonitoringTimeSeries({ window }, { query: { refetchInterval: REFRESH_MS } });
  const c = useMemo(() => (ts.data ? toColumns(ts.data) : undefined), [ts.data]);
  const lang = i18n.language;
  const pct = useCallback((v: number) => formatPercent(v, lang), [lang]);
  const charts = useMemo(
    () =>
      c && [
        { key: 'traffic', series: [{ label: t('series.requests'), values: c.requests, color: 'indigo' }, { label: t('series.errors'), values: c.errors, color: 'red' }] },
        { key: 'errorRate', series: [{ label: t('series.errorRate'), values: c.errorRate, color: 'red', format: pct }] },
        { key: 'p95', series: [{ label: t('series.p95'), values: c.p95, color: 'grape', format: formatMs }] },
        { key: 'webhooks', series: [{ label: t('series.webhookSuccess'), values: c.webhookSuccess, color: 'teal', format: pct }] },
        { key: 'queue', series: [{ label: t('series.queueDepth'), values: c.queueDepth, color: 'orange' }] },
        { key: 'sockets', series: [{ label: t('series.sockets'), values: c.sockets, color: 'cyan' }] },
      ],
    [c, t, pct],
  );
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label={t('window.label')}
          value={window}
          onChange={(v) => setSearch({ window: v === '1h' ? undefined : (v as Search['window']) })}
          data={WINDOWS.map((w) => ({ value: w, label: t(`window.${w}`) }))}
        />
        <Text size="sm" c="dimmed">
          {ts.data ? t('step', { seconds: ts.data.stepSeconds }) : null}
        </Text>
      </Group>
      <ProblemAlert error={ts.error} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        {(charts ?? ['traffic', 'errorRate', 'p95', 'webhooks', 'queue', 'sockets'].map((key) => ({ key, series: undefined }))).map((chart) => (
          <Paper key={chart.key} withBorder p="md" radius="md">
            <Text fw={600} size="sm" mb="xs">
              {t(`charts.${chart.key}`)}
            </Text>
            {c && chart.series ? <TimeChart x={c.x} series={chart.series} height={180} label={t(`charts.${chart.key}`)} /> : <Skeleton h={210} />}
          </Paper>
        ))}
      </SimpleGrid>
      <Paper withBorder p="md" radius="md">
        <Title order={4} mb="xs">
          {t('grafana.title')}
        </Title>
        <Text size="sm">
          {t('grafana.body')} <Code>deploy/grafana/gatrix.json</Code> — <Code>docs/operations.md#grafana</Code>
        </Text>
      </Paper>
    </Stack>
  );
}

function Routes() {
  const { t, i18n } = useTranslation('monitoring');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const urlSort = useUrlSort();
  const sort = urlSort.sort ?? '-totalRequests';
  const metrics = useGetRequestMetrics(search.routes ? { window: search.routes } : {}, { query: { refetchInterval: REFRESH_MS } });
  const rows = useMemo(() => sortRows(metrics.data?.byRoute ?? [], sort), [metrics.data, sort]);
  const lang = i18n.language;
  const cols = useMemo<ColumnDef<RouteMetrics>[]>(() => {
    const num = (id: keyof RouteMetrics, header: string, format: (r: RouteMetrics) => string, size = 90): ColumnDef<RouteMetrics> => ({
      id,
      accessorKey: id,
      header: () => <Text ta="right" size="sm" fw={700}>{header}</Text>,
      size,
      cell: ({ row }) => (
        <Text ta="right" size="sm" ff="monospace">
          {format(row.original)}
        </Text>
      ),
    });
    return [
      {
        id: 'route',
        accessorKey: 'route',
        header: t('routes.route'),
        size: 360,
        cell: ({ row }) => (
          <Group gap={6} wrap="nowrap">
            <Badge variant="default" size="sm" w={64}>
              {row.original.method}
            </Badge>
            <Text size="sm" ff="monospace" truncate>
              {row.original.route}
            </Text>
          </Group>
        ),
      },
      num('totalRequests', t('routes.count'), (r) => formatCount(r.totalRequests, lang)),
      num('clientErrors', t('routes.clientErrors'), (r) => formatPercent(r.totalRequests ? r.clientErrors / r.totalRequests : null, lang)),
      num('serverErrors', t('routes.serverErrors'), (r) => formatPercent(r.totalRequests ? r.serverErrors / r.totalRequests : null, lang)),
      num('p50', 'p50', (r) => formatMs(r.p50), 80),
      num('p95', 'p95', (r) => formatMs(r.p95), 80),
      num('p99', 'p99', (r) => formatMs(r.p99), 80),
      num('averageResponseTime', t('routes.mean'), (r) => formatMs(r.averageResponseTime), 80),
    ];
  }, [t, lang]);
  const m = metrics.data;
  return (
    <Stack>
      <Group justify="space-between">
        <SegmentedControl
          aria-label={t('routes.window')}
          value={search.routes ?? 'all'}
          onChange={(v) => setSearch({ routes: v === 'all' ? undefined : (v as Search['routes']) })}
          data={[
            { value: '5m', label: t('window.5m') },
            { value: '1h', label: t('window.1h') },
            { value: '24h', label: t('window.24h') },
            { value: 'all', label: t('window.sinceStart') },
          ]}
        />
        {m ? (
          <Group gap="lg">
            <Summary label={t('routes.count')} value={formatCount(m.totalRequests, lang)} />
            <Summary label={t('routes.serverErrors')} value={formatPercent(m.totalRequests ? m.serverErrors / m.totalRequests : null, lang)} />
            <Summary label="p95" value={formatMs(m.p95)} />
            <Text size="xs" c="dimmed">
              {t('routes.since')} <Timestamp value={m.since} />
            </Text>
          </Group>
        ) : null}
      </Group>
      <DataTable
        data={rows}
        columns={cols}
        getRowId={(r) => `${r.method} ${r.route}`}
        isLoading={metrics.isLoading}
        error={metrics.error}
        onRetry={() => void metrics.refetch()}
        sort={sort}
        onSortChange={urlSort.onSortChange}
        height={520}
        empty={t('routes.empty')}
      />
    </Stack>
  );
}

function Summary({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0} align="flex-end">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{value}</Text>
    </Stack>
  );
}

function Errors() {
  const { t } = useTranslation('monitoring');
  const allowed = useCan('monitoring.admin');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const status = search.status ?? 'open';
  const errors = useListServerErrors(status === 'all' ? {} : { resolved: status === 'resolved' }, { query: { enabled: allowed, refetchInterval: REFRESH_MS } });
  if (!allowed) {
    return <Alert color="gray">{t('errors.adminsOnly')}</Alert>;
  }
  const list = errors.data?.data ?? [];
  return (
    <Stack>
      <SegmentedControl
        w="fit-content"
        aria-label={t('errors.status')}
        value={status}
        onChange={(v) => setSearch({ status: v === 'open' ? undefined : (v as Search['status']) })}
        data={(['open', 'resolved', 'all'] as const).map((s) => ({ value: s, label: t(`errors.${s}`) }))}
      />
      <Text size="xs" c="dimmed">
        {t('errors.perNode')}
      </Text>
      <ProblemAlert error={errors.error} />
      {errors.isLoading ? <Skeleton h={120} /> : null}
      {errors.data && list.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          <IconCheck size={28} color="var(--mantine-color-teal-6)" />
          <Text fw={600}>{t(status === 'resolved' ? 'errors.noneResolved' : 'errors.none')}</Text>
          <Text size="sm" c="dimmed">
            {t('errors.noneHint')}
          </Text>
        </Paper>
      ) : null}
      {list.length > 0 ? (
        <Accordion variant="separated" value={search.error ?? null} onChange={(v) => setSearch({ error: v ?? undefined })}>
          {list.map((e) => (
            <ErrorGroup key={e.id} group={e} />
          ))}
        </Accordion>
      ) : null}
    </Stack>
  );
}

function ErrorGroup({ group: e }: { group: ServerErrorGroup }) {
  const { t } = useTranslation('monitoring');
  const queryClient = useQueryClient();
  return (
    <Accordion.Item value={e.id} data-error-group={e.id}>
      <Accordion.Control>
        <Group justify="space-between" wrap="nowrap" gap="sm">
          <Text size="sm" truncate style={{ minWidth: 0 }}>
            <Text span fw={700}>
              {e.name}
            </Text>
            : {e.message}
          </Text>
          <Group gap="xs" wrap="nowrap">
            {e.route ? (
              <Text size="xs" ff="monospace" c="dimmed">
                {e.method} {e.route}
              </Text>
            ) : null}
            <Badge color={e.resolved ? 'teal' : 'red'} variant="dot">
              {e.resolved ? t('errors.resolvedBadge') : t('errors.count', { count: e.count })}
            </Badge>
          </Group>
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        <Stack gap="xs">
          <Group gap="xl">
            <Field label={t('errors.occurrences')} value={String(e.count)} />
            <Field label={t('errors.firstSeen')} value={<Timestamp value={e.firstSeen} />} />
            <Field label={t('errors.lastSeen')} value={<Timestamp value={e.lastSeen} />} />
            <Field label={t('errors.source')} value={e.source} />
            {e.lastActor ? <Field label={t('errors.lastActor')} value={e.lastActor} /> : null}
            {e.lastRequestId ? <Field label={t('errors.requestId')} value={<Code>{e.lastRequestId}</Code>} /> : null}
            {e.resolvedAt ? <Field label={t('errors.resolvedAt')} value={<Timestamp value={e.resolvedAt} />} /> : null}
          </Group>
          <ScrollArea.Autosize mah={280}>
            <Code block>{e.stack ?? e.message}</Code>
          </ScrollArea.Autosize>
          {!e.resolved ? (
            <Group>
              <Guarded permission="monitoring.admin">
                <Button
                  leftSection={<IconCheck size={16} />}
                  variant="light"
                  onClick={() =>
                    void confirmDestructive({
                      target: t('errors.target', { name: `${e.name}: ${e.message}`.slice(0, 80) }),
                      confirmLabel: t('errors.resolve'),
                      onConfirm: async (reason) => {
                        await resolveServerError(e.id, { reason });
                        await queryClient.invalidateQueries({ queryKey: ['/api/v1/monitoring/errors'] });
                      },
                    })
                  }
                >
                  {t('errors.resolve')}
                </Button>
              </Guarded>
            </Group>
          ) : null}
        </Stack>
      </Accordion.Panel>
    </Accordion.Item>
  );
}

function Field({ label, value }: { label: string; value: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {value}
      </Text>
    </Stack>
  );
}

/** `/metrics` needs credentials a plain link would not carry: fetched with the session's token and shown. */
function PrometheusButton() {
  const { t } = useTranslation(['monitoring', 'common']);
  const [text, setText] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [open, setOpen] = useState(false);
  const load = async () => {
    setOpen(true);
    setError(undefined);
    try {
      const r = await apiFetchRaw('/metrics', { headers: { Accept: 'text/plain' } });
      if (!r.ok) throw await problemFrom(r);
      setText(await r.text());
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <Button variant="default" leftSection={<IconChartLine size={16} />} onClick={() => void load()}>
        {t('prometheus.open')}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('prometheus.title')} size="xl">
        <ProblemAlert error={error} />
        {text === undefined && !error ? <Skeleton h={300} /> : null}
        {text !== undefined ? (
          <ScrollArea.Autosize mah="70vh">
            <Code block data-testid="prometheus-text">
              {text}
            </Code>
          </ScrollArea.Autosize>
        ) : null}
      </Modal>
    </>
  );
}
