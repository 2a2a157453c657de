import { Button, Group, Modal, Pagination, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconHistory, IconRefresh, IconSend } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invalidateWebhooks } from './cache.ts';
import type { Webhook } from '../../api/generated/model/webhook.ts';
import type { WebhookDelivery } from '../../api/generated/model/webhookDelivery.ts';
import {
  recoverWebhookDeliveries,
  retryWebhookDeliveries,
  retryWebhookDelivery,
  useListEventTypes,
  useListWebhookDeliveries,
} from '../../api/generated/webhooks/webhooks.ts';
import { DataTable, fitHeight } from '../../components/DataTable.tsx';
import { FilterBar, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { useTimeZoneMode } from '../../lib/preferences.ts';
import { DeliveryDrawer } from './DeliveryDrawer.tsx';
import { DeliveryStatus } from './DeliveryStatus.tsx';
import { DELIVERY_STATUSES, type DetailSearch } from './search.ts';
import { fromInputValue, toInputValue } from './time.ts';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/webhooks/$id');
const PAGE_SIZE = 50;

/** A time filter bound to `?<name>=` (ISO), typed in the zone of Settings. */
function TimeFilter({ name, label }: { name: 'from' | 'to'; label: string }) {
  const { t } = useTranslation('webhooks');
  const mode = useTimeZoneMode();
  const s = route.useSearch();
  const [, setSearch] = useUrlSearch<DetailSearch>();
  return (
    <TextInput
      type="datetime-local"
      label={`${label} (${mode === 'utc' ? t('filter.utc') : t('filter.local')})`}
      value={toInputValue(s[name], mode)}
      onChange={(e) => setSearch({ [name]: fromInputValue(e.currentTarget.value, mode) })}
      w={210}
    />
  );
}

function RecoverModal({ webhook, opened, onClose }: { webhook: Webhook; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation('webhooks');
  const mode = useTimeZoneMode();
  const queryClient = useQueryClient();
  const [since, setSince] = useState(() => toInputValue(new Date(Date.now() - 3_600_000).toISOString(), mode));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const sinceIso = fromInputValue(since, mode);
  const submit = async () => {
    if (!sinceIso) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await recoverWebhookDeliveries(webhook.id, { since: sinceIso });
      await invalidateWebhooks(queryClient);
      notify({ color: 'teal', message: t('recover.done', { count: r.requeued }) });
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('recover.title')} centered>
      <Stack>
        <Text size="sm">{t('recover.body')}</Text>
        <ProblemAlert error={error} />
        <TextInput
          type="datetime-local"
          label={t('recover.since')}
          description={mode === 'utc' ? t('filter.utc') : t('filter.local')}
          value={since}
          onChange={(e) => setSince(e.currentTarget.value)}
          error={since && !sinceIso ? t('recover.invalid') : undefined}
          required
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common:cancel')}
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={!sinceIso}>
            {t('recover.submit')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The endpoint's deliveries: filters in the URL, retry one or all failed ones of the filter, recover since a time, the attempt drawer. */
export function Deliveries({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation('webhooks');
  const s = route.useSearch();
  const [, setSearch] = useUrlSearch<DetailSearch>();
  const queryClient = useQueryClient();
  const [recovering, setRecovering] = useState(false);
  const types = useListEventTypes({ query: { staleTime: 600_000 } });
  const params = { page: s.page, limit: s.limit ?? PAGE_SIZE, status: s.status, event: s.event, from: s.from, to: s.to };
  // No event announces a delivery's progress: the list polls while it is open.
  const list = useListWebhookDeliveries(webhook.id, params, { query: { refetchInterval: 3000 } });
  const refresh = () => invalidateWebhooks(queryClient);

  const columns = useMemo<ColumnDef<WebhookDelivery>[]>(
    () => [
      { id: 'id', header: t('col.id'), size: 70, cell: ({ row: { original: d } }) => <Text size="sm" ta="right" c="dimmed">{d.id}</Text> },
      { id: 'event', header: t('col.event'), cell: ({ row: { original: d } }) => <Text size="sm" ff="monospace">{d.event}</Text> },
      { id: 'status', header: t('col.status'), cell: ({ row: { original: d } }) => <DeliveryStatus status={d.status} /> },
      {
        id: 'attempts',
        header: () => <Text size="sm" fw={600} ta="right">{t('col.attempts')}</Text>,
        size: 90,
        cell: ({ row: { original: d } }) => <Text size="sm" ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>{d.attempts}</Text>,
      },
      {
        id: 'answer',
        header: t('col.lastAnswer'),
        cell: ({ row: { original: d } }) =>
          d.lastStatusCode !== null ? (
            <Text size="sm" c={d.lastStatusCode < 300 ? undefined : 'red'} fw={500}>
              {d.lastStatusCode}
            </Text>
          ) : (
            <Text size="sm" c={d.lastError ? 'red' : 'dimmed'} lineClamp={1} maw={240}>
              {d.lastError ?? '—'}
            </Text>
          ),
      },
      { id: 'created', header: t('col.created'), cell: ({ row: { original: d } }) => <Timestamp value={d.createdAt} /> },
      { id: 'deliveredAt', header: t('col.deliveredAt'), cell: ({ row: { original: d } }) => <Timestamp value={d.deliveredAt} /> },
      {
        id: 'actions',
        header: () => <Text size="sm" fw={600}>{t('col.actions')}</Text>,
        size: 90,
        cell: ({ row: { original: d } }) => (
          <Guarded permission="webhooks.write">
            <Button
              size="compact-xs"
              variant="subtle"
              aria-label={t('retry.oneLabel', { id: d.id })}
              onClick={(e) => {
                e.stopPropagation();
                void retryWebhookDelivery(d.id).then(() => invalidateWebhooks(queryClient), (err: unknown) => notify({ color: 'red', message: err instanceof Error ? err.message : String(err) }));
              }}
            >
              {t('retry.one')}
            </Button>
          </Guarded>
        ),
      },
    ],
    [t, queryClient],
  );

  const bulkStatus = s.status === 'delivered' || s.status === 'pending' ? s.status : 'failed';
  const bulkRetry = () =>
    confirmDestructive({
      target: t('retry.bulkTarget', { action: t(`retry.bulkButton.${bulkStatus}`), url: webhook.url }),
      confirmLabel: t('retry.bulk'),
      onConfirm: async (reason) => {
        const r = await retryWebhookDeliveries(webhook.id, { status: bulkStatus, eventType: s.event, since: s.from, until: s.to }, { reason });
        await refresh();
        notify({ color: 'teal', message: t('retry.bulkDone', { count: r.retried }) });
      },
    });

  const pagination = list.data?.pagination;
  const filtered = [s.status, s.event, s.from, s.to].some((v) => v !== undefined);
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <FilterBar names={['status', 'event', 'from', 'to']}>
          <Select
            label={t('filter.deliveryStatus')}
            placeholder={t('common:filter.any')}
            clearable
            w={150}
            data={DELIVERY_STATUSES.map((v) => ({ value: v, label: t(`delivery.${v}`) }))}
            value={s.status ?? null}
            onChange={(v) => setSearch({ status: (v ?? undefined) as DetailSearch['status'] })}
          />
          <Select
            label={t('filter.event')}
            placeholder={t('common:filter.any')}
            clearable
            searchable
            w={220}
            data={(types.data?.data ?? []).map((e) => e.event)}
            value={s.event ?? null}
            onChange={(v) => setSearch({ event: v ?? undefined })}
          />
          <TimeFilter name="from" label={t('filter.from')} />
          <TimeFilter name="to" label={t('filter.to')} />
        </FilterBar>
        <Group gap="xs">
          <Guarded permission="webhooks.write">
            <Button variant="default" leftSection={<IconHistory size={16} />} onClick={() => setRecovering(true)}>
              {t('recover.open')}
            </Button>
          </Guarded>
          <Guarded permission="webhooks.write">
            <Button variant="default" leftSection={<IconRefresh size={16} color="var(--mantine-color-orange-7)" />} onClick={() => void bulkRetry()}>
              {t(`retry.bulkButton.${bulkStatus}`)}
            </Button>
          </Guarded>
        </Group>
      </Group>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(d) => String(d.id)}
        total={pagination?.total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        onRowClick={(d) => setSearch({ delivery: d.id }, { keepPage: true })}
        height={fitHeight(list.data?.data.length)}
        empty={
          <Stack align="center" gap={4}>
            <IconSend size={28} opacity={0.5} />
            <span>{filtered ? t('deliveries.emptyFiltered') : t('deliveries.empty')}</span>
          </Stack>
        }
      />
      {pagination && pagination.totalPages > 1 ? <Pagination total={pagination.totalPages} value={pagination.page} onChange={(page) => setSearch({ page }, { keepPage: true })} /> : null}
      <DeliveryDrawer id={s.delivery} onClose={() => setSearch({ delivery: undefined }, { keepPage: true })} />
      {recovering ? <RecoverModal webhook={webhook} opened onClose={() => setRecovering(false)} /> : null}
    </Stack>
  );
}
