import { Anchor, Badge, Button, Group, Modal, Pagination, Select, Stack, Text } from '@mantine/core';
import { IconPlus, IconWebhook } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invalidateWebhooks } from './cache.ts';
import type { Webhook } from '../../api/generated/model/webhook.ts';
import { createWebhook, useListWebhookHealth, useListWebhooks } from '../../api/generated/webhooks/webhooks.ts';
import { DataTable, fitHeight } from '../../components/DataTable.tsx';
import { FilterBar, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { openSecretOnce } from '../../components/SecretOnce.tsx';
import { LastFailure, StatusBadge, SuccessRate } from './HealthCells.tsx';
import { EMPTY_WEBHOOK, WebhookForm } from './WebhookForm.tsx';
import type { Search } from './search.ts';
import { PageHeader } from '../../components/PageHeader.tsx';

const route = getRouteApi('/_app/webhooks');
const PAGE_SIZE = 50;

/** At most `max` event badges, then "+n". */
export function EventBadges({ events, max = 3 }: { events: string[]; max?: number }) {
  const { t } = useTranslation('webhooks');
  return (
    <Group gap={4} wrap="nowrap">
      {events.slice(0, max).map((e) => (
        <Badge key={e} variant="default" size="sm" tt="none">
          {e === '*' ? t('form.allEvents') : e}
        </Badge>
      ))}
      {events.length > max ? (
        <Text size="xs" c="dimmed">
          +{events.length - max}
        </Text>
      ) : null}
    </Group>
  );
}

export default function WebhooksScreen() {
  const { t } = useTranslation('webhooks');
  const s = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const list = useListWebhooks({ page: s.page, limit: s.limit ?? PAGE_SIZE, active: s.active });
  const health = useListWebhookHealth();
  const byId = useMemo(() => new Map((health.data?.data ?? []).map((h) => [h.webhookId, h])), [health.data]);

  const columns = useMemo<ColumnDef<Webhook>[]>(
    () => [
      {
        id: 'url',
        header: t('col.url'),
        cell: ({ row: { original: w } }) => (
          <Stack gap={0} maw={420}>
            <Anchor
              href={`/webhooks/${w.id}`}
              size="sm"
              fw={500}
              style={{ wordBreak: 'break-all' }}
              onClick={(e) => {
                e.preventDefault();
                e.stopPropagation();
                void navigate({ to: '/webhooks/$id', params: { id: String(w.id) } });
              }}
            >
              {w.url}
            </Anchor>
            {w.description ? (
              <Text size="xs" c="dimmed" lineClamp={1}>
                {w.description}
              </Text>
            ) : null}
          </Stack>
        ),
      },
      { id: 'events', header: t('col.events'), cell: ({ row: { original: w } }) => <EventBadges events={w.events} /> },
      { id: 'status', header: t('col.status'), cell: ({ row: { original: w } }) => <StatusBadge webhook={w} /> },
      {
        id: 'success',
        header: t('col.success24h'),
        size: 110,
        cell: ({ row: { original: w } }) => <SuccessRate rate={byId.get(w.id)?.successRate24h} attempts={byId.get(w.id)?.attempts24h} />,
      },
      {
        id: 'queue',
        header: () => <Text size="sm" fw={600} ta="right">{t('col.queue')}</Text>,
        size: 80,
        cell: ({ row: { original: w } }) => (
          <Text size="sm" ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
            {byId.get(w.id)?.queueDepth ?? '—'}
          </Text>
        ),
      },
      { id: 'lastFailure', header: t('col.lastFailure'), cell: ({ row: { original: w } }) => <LastFailure health={byId.get(w.id)} /> },
    ],
    [t, byId, navigate],
  );

  const pagination = list.data?.pagination;
  return (
    <Stack>
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Guarded permission="webhooks.write">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('create.open')}
          </Button>
        </Guarded>
      </PageHeader>
      <FilterBar names={['active']}>
        <Select
          label={t('filter.status')}
          placeholder={t('common:filter.any')}
          w={180}
          clearable
          data={[
            { value: 'true', label: t('filter.enabled') },
            { value: 'false', label: t('filter.disabled') },
          ]}
          value={s.active === undefined ? null : String(s.active)}
          onChange={(v) => setSearch({ active: v === null ? undefined : v === 'true' })}
        />
      </FilterBar>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(w) => String(w.id)}
        total={pagination?.total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        onRowClick={(w) => void navigate({ to: '/webhooks/$id', params: { id: String(w.id) } })}
        height={fitHeight(list.data?.data.length, { rowHeight: 53 })}
        empty={
          <Stack align="center" gap={4}>
            <IconWebhook size={28} opacity={0.5} />
            <span>{s.active === undefined ? t('empty') : t('emptyFiltered')}</span>
          </Stack>
        }
      />
      {pagination && pagination.totalPages > 1 ? <Pagination total={pagination.totalPages} value={pagination.page} onChange={(page) => setSearch({ page }, { keepPage: true })} /> : null}
      <Modal opened={creating} onClose={() => setCreating(false)} title={t('create.title')} size="xl" centered>
        <WebhookForm
          draftKey="webhooks.create"
          initial={EMPTY_WEBHOOK}
          submitLabel={t('create.submit')}
          onCancel={() => setCreating(false)}
          onSubmit={async (v) => {
            const created = await createWebhook({ url: v.url.trim(), events: v.events, active: v.active, description: v.description.trim() || null });
            await invalidateWebhooks(queryClient);
            setCreating(false);
            openSecretOnce({
              title: t('create.created'),
              secret: created.secret,
              description: <Text size="sm">{t('create.secretBody', { url: created.url })}</Text>,
              onDone: () => void navigate({ to: '/webhooks/$id', params: { id: String(created.id) } }),
            });
          }}
        />
      </Modal>
    </Stack>
  );
}
