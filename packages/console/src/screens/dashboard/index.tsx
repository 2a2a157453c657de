import { Anchor, Badge, Group, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { createLink, getRouteApi, Link, type LinkComponentProps } from '@tanstack/react-router';
import { forwardRef, useMemo, type AnchorHTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useListGameWorlds } from '../../api/generated/game-worlds/game-worlds.ts';
import { useGetMaintenance } from '../../api/generated/maintenance/maintenance.ts';
import type { GameWorld } from '../../api/generated/model/gameWorld.ts';
import { useGetMonitoringTimeSeries, useListServerErrors } from '../../api/generated/monitoring/monitoring.ts';
import { useCan } from '../../auth/useCan.ts';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { TimeChart, type TimeChartSeries } from '../../components/TimeChart.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { columns, formatCount, formatMs, formatPercent, totals, WINDOWS, type TimeWindow } from '../monitoring/series.ts';
import { PageHeader } from '../../components/PageHeader.tsx';

const route = getRouteApi('/_app/');
/** The dashboard re-reads its figures this often (the time series gets a new minute every minute). */
const REFRESH_MS = 30_000;

const TileLink = createLink(
  forwardRef<HTMLAnchorElement, AnchorHTMLAttributes<HTMLAnchorElement>>(function TileAnchor(props, ref) {
    return <Paper component="a" ref={ref} withBorder p="md" radius="md" {...props} style={{ display: 'block', color: 'inherit', textDecoration: 'none' }} />;
  }),
);

/** /: the deployment at a glance; every tile opens the list behind it. */
export default function DashboardScreen() {
  const { t, i18n } = useTranslation('dashboard');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<{ window?: TimeWindow }>();
  const window = search.window ?? '1h';
  const ts = useGetMonitoringTimeSeries({ window }, { query: { refetchInterval: REFRESH_MS } });
  const cols = useMemo(() => (ts.data ? columns(ts.data) : undefined), [ts.data]);
  const sum = useMemo(() => (ts.data ? totals(ts.data) : undefined), [ts.data]);
  const lang = i18n.language;
  const pct = (v: number) => formatPercent(v, lang);

  return (
    <Stack>
      <PageHeader title={t('title')}>
        <SegmentedControl
          aria-label={t('window.label')}
          value={window}
          onChange={(v) => setSearch({ window: v === '1h' ? undefined : (v as TimeWindow) })}
          data={WINDOWS.map((w) => ({ value: w, label: t(`window.${w}`) }))}
        />
      </PageHeader>
      {ts.error ? <ProblemAlert error={ts.error} /> : null}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        <Tile
          to="/monitoring"
          search={{ tab: 'routes', window }}
          title={t('tiles.requests')}
          value={sum ? formatCount(sum.requestsPerMinute, lang) : undefined}
          unit={t('perMinute')}
          hint={sum ? t('tiles.requestsTotal', { formatted: formatCount(sum.requests, lang) }) : undefined}
          series={cols && { label: t('tiles.requests'), values: cols.requests, color: 'indigo' }}
          x={cols?.x}
        />
        <Tile
          to="/monitoring"
          search={{ tab: 'errors', window }}
          title={t('tiles.errorRate')}
          value={sum ? formatPercent(sum.errorRate, lang) : undefined}
          hint={sum ? t('tiles.errorsTotal', { formatted: formatCount(sum.errors, lang) }) : undefined}
          badge={sum && sum.errors > 0 ? { color: 'red', label: t('tiles.serverErrors') } : undefined}
          series={cols && { label: t('tiles.errorRate'), values: cols.errorRate, color: 'red', format: pct }}
          x={cols?.x}
        />
        <Tile
          to="/monitoring"
          search={{ tab: 'routes', window, sort: '-p95' }}
          title={t('tiles.p95')}
          value={sum ? formatMs(sum.p95) : undefined}
          hint={t('tiles.p95Hint')}
          series={cols && { label: t('tiles.p95'), values: cols.p95, color: 'grape', format: formatMs }}
          x={cols?.x}
        />
        <Tile
          to="/webhooks"
          title={t('tiles.webhookSuccess')}
          value={sum ? formatPercent(sum.webhookSuccess, lang) : undefined}
          hint={sum ? t('tiles.webhooksHint', { delivered: formatCount(sum.webhooksDelivered, lang), failed: formatCount(sum.webhooksFailed, lang) }) : undefined}
          badge={sum && sum.webhooksFailed > 0 ? { color: 'orange', label: t('tiles.failures') } : undefined}
          series={cols && { label: t('tiles.webhookSuccess'), values: cols.webhookSuccess, color: 'teal', format: pct }}
          x={cols?.x}
        />
        <Tile
          to="/webhooks"
          title={t('tiles.queueDepth')}
          value={sum ? formatCount(sum.queueDepth, lang) : undefined}
          hint={t('tiles.queueHint')}
          series={cols && { label: t('tiles.queueDepth'), values: cols.queueDepth, color: 'orange' }}
          x={cols?.x}
        />
        <Tile
          to="/events"
          title={t('tiles.sockets')}
          value={sum ? formatCount(sum.sockets, lang) : undefined}
          hint={t('tiles.socketsHint')}
          series={cols && { label: t('tiles.sockets'), values: cols.sockets, color: 'cyan' }}
          x={cols?.x}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <MaintenanceCard />
        <RecentErrorsCard />
      </SimpleGrid>
    </Stack>
  );
}

function Tile({
  to,
  search,
  title,
  value,
  unit,
  hint,
  badge,
  series,
  x,
}: {
  to: LinkComponentProps['to'];
  search?: Record<string, unknown>;
  title: string;
  value: string | undefined;
  unit?: string;
  hint?: string;
  badge?: { color: string; label: string };
  series: TimeChartSeries | undefined;
  x: number[] | undefined;
}) {
  const seriesList = useMemo(() => (series ? [series] : []), [series]);
  return (
    <TileLink to={to} search={search as never} data-tile={title}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" c="dimmed" fw={500}>
          {title}
        </Text>
        {badge ? (
          <Badge color={badge.color} variant="dot" size="sm">
            {badge.label}
          </Badge>
        ) : null}
      </Group>
      {value === undefined ? (
        <Skeleton h={32} w={120} my={4} />
      ) : (
        <Group gap={6} align="baseline">
          <Text fz={28} fw={700} lh={1.3} data-value>
            {value}
          </Text>
          {unit ? (
            <Text size="sm" c="dimmed">
              {unit}
            </Text>
          ) : null}
        </Group>
      )}
      <Text size="xs" c="dimmed" mb={6} lineClamp={1}>
        {hint ?? '\u00a0'}
      </Text>
      {x && series ? <TimeChart x={x} series={seriesList} height={48} sparkline label={title} /> : <Skeleton h={48} />}
    </TileLink>
  );
}

function Card({ title, action, children }: { title: string; action?: ReactNode; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md">
      <Group justify="space-between" mb="sm">
        <Title order={4}>{title}</Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

function MaintenanceCard() {
  const { t } = useTranslation('dashboard');
  const global = useGetMaintenance({ query: { refetchInterval: REFRESH_MS } });
  const worlds = useListGameWorlds({ limit: 100 }, { query: { refetchInterval: REFRESH_MS } });
  const now = Date.now();
  const active = (worlds.data?.data ?? []).filter((w) => w.maintenance);
  const upcoming = (worlds.data?.data ?? []).filter((w) => !w.maintenance && w.maintenanceStartsAt && Date.parse(w.maintenanceStartsAt) > now);
  const g = global.data;
  const globalState = !g ? undefined : g.active ? 'active' : g.enabled && g.startsAt && Date.parse(g.startsAt) > now ? 'scheduled' : 'off';
  return (
    <Card
      title={t('maintenance.title')}
      action={
        <Anchor component={Link} to="/worlds" search={{ maintenance: true } as never} size="sm">
          {t('maintenance.allWorlds')}
        </Anchor>
      }
    >
      <ProblemAlert error={global.error ?? worlds.error} />
      <Stack gap="xs">
        <Group justify="space-between">
          <Anchor component={Link} to="/maintenance" fw={500}>
            {t('maintenance.global')}
          </Anchor>
          {globalState ? (
            <Group gap="xs">
              {globalState !== 'off' && g?.startsAt ? <Timestamp value={globalState === 'active' ? g.endsAt : g.startsAt} withSeconds={false} /> : null}
              <Badge color={globalState === 'active' ? 'red' : globalState === 'scheduled' ? 'yellow' : 'gray'} variant="dot">
                {t(`maintenance.state.${globalState}`)}
              </Badge>
            </Group>
          ) : (
            <Skeleton h={20} w={80} />
          )}
        </Group>
        {worlds.isLoading ? <Skeleton h={60} /> : null}
        {worlds.data && active.length + upcoming.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('maintenance.noWorlds')}
          </Text>
        ) : null}
        {active.map((w) => (
          <WorldRow key={w.id} world={w} state="active" />
        ))}
        {upcoming.map((w) => (
          <WorldRow key={w.id} world={w} state="scheduled" />
        ))}
      </Stack>
    </Card>
  );
}

function WorldRow({ world, state }: { world: GameWorld; state: 'active' | 'scheduled' }) {
  const { t } = useTranslation('dashboard');
  return (
    <Group justify="space-between" wrap="nowrap">
      <Anchor component={Link} to={`/worlds/${world.id}`} size="sm" truncate>
        {world.name} <Text span c="dimmed" size="xs">({world.worldId})</Text>
      </Anchor>
      <Group gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed">
          {state === 'active' ? t('maintenance.until') : t('maintenance.from')}
        </Text>
        <Text size="xs">
          <Timestamp value={state === 'active' ? world.maintenanceEndsAt : world.maintenanceStartsAt} withSeconds={false} />
        </Text>
        <Badge color={state === 'active' ? 'red' : 'yellow'} variant="dot" size="sm">
          {t(`maintenance.state.${state}`)}
        </Badge>
      </Group>
    </Group>
  );
}

function RecentErrorsCard() {
  const { t } = useTranslation('dashboard');
  const allowed = useCan('monitoring.admin');
  const errors = useListServerErrors({ resolved: false }, { query: { enabled: allowed, refetchInterval: REFRESH_MS } });
  const list = (errors.data?.data ?? []).slice(0, 5);
  return (
    <Card
      title={t('errors.title')}
      action={
        <Anchor component={Link} to="/monitoring" search={{ tab: 'errors' } as never} size="sm">
          {t('errors.all')}
        </Anchor>
      }
    >
      {!allowed ? (
        <Text size="sm" c="dimmed">
          {t('errors.adminsOnly')}
        </Text>
      ) : errors.isLoading ? (
        <Skeleton h={60} />
      ) : errors.error ? (
        <ProblemAlert error={errors.error} />
      ) : list.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('errors.none')}
        </Text>
      ) : (
        <Stack gap={6}>
          {list.map((e) => (
            <Group key={e.id} justify="space-between" wrap="nowrap" gap="xs">
              <Anchor component={Link} to="/monitoring" search={{ tab: 'errors', error: e.id } as never} size="sm" truncate style={{ minWidth: 0 }}>
                <Text span fw={600}>{e.name}</Text>: {e.message}
              </Anchor>
              <Group gap="xs" wrap="nowrap">
                <Badge color="red" variant="dot" size="sm">
                  ×{e.count}
                </Badge>
                <Text size="xs" c="dimmed">
                  <Timestamp value={e.lastSeen} withSeconds={false} />
                </Text>
              </Group>
            </Group>
          ))}
        </Stack>
      )}
    </Card>
  );
}
