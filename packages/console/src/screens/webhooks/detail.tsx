import { Alert, Anchor, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconKey, IconPlayerPlay, IconSend, IconTrash } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Webhook } from '../../api/generated/model/webhook.ts';
import { deleteWebhook, patchWebhook, rotateWebhookSecret, testWebhook, useGetWebhook, useGetWebhookHealth } from '../../api/generated/webhooks/webhooks.ts';
import { useCan } from '../../auth/useCan.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { openSecretOnce } from '../../components/SecretOnce.tsx';
import { invalidateWebhooks } from './cache.ts';
import { Deliveries } from './Deliveries.tsx';
import { LastFailure, StatusBadge, SuccessRate } from './HealthCells.tsx';
import { WebhookForm } from './WebhookForm.tsx';
import { DETAIL_TABS, type DetailSearch } from './search.ts';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/webhooks/$id');

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}

function HealthStrip({ webhook }: { webhook: Webhook }) {
  const { t } = useTranslation('webhooks');
  const health = useGetWebhookHealth(webhook.id, { query: { refetchInterval: 10_000 } });
  const h = health.data;
  return (
    <Paper withBorder p="sm">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
        <Stat label={t('health.rate1h')}>
          <Group justify="flex-start">
            <SuccessRate rate={h?.successRate1h} attempts={h?.attempts1h} />
          </Group>
        </Stat>
        <Stat label={t('health.rate24h')}>
          <Group justify="flex-start">
            <SuccessRate rate={h?.successRate24h} attempts={h?.attempts24h} />
          </Group>
        </Stat>
        <Stat label={t('col.queue')}>
          <Text size="sm">{h?.queueDepth ?? '—'}</Text>
        </Stat>
        <Stat label={t('health.counts')}>
          <Text size="sm">{h ? t('health.countsValue', { delivered: h.deliveries.delivered, failed: h.deliveries.failed }) : '—'}</Text>
        </Stat>
        <Stat label={t('health.lastSuccess')}>
          {h?.lastSuccess ? (
            <Timestamp value={h.lastSuccess.at} withSeconds={false} />
          ) : (
            <Text size="sm" c="dimmed">
              {t('health.none')}
            </Text>
          )}
        </Stat>
        <Stat label={t('col.lastFailure')}>
          <LastFailure health={h} />
        </Stat>
      </SimpleGrid>
    </Paper>
  );
}

export default function WebhookDetailScreen() {
  const { t } = useTranslation('webhooks');
  const { id: rawId } = route.useParams();
  const id = Number(rawId);
  const s = route.useSearch();
  const [, setSearch] = useUrlSearch<DetailSearch>();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const canWrite = useCan('webhooks.write');
  const [testing, setTesting] = useState(false);
  const webhook = useGetWebhook(id, { query: { enabled: Number.isInteger(id) && id > 0 } });
  const w = webhook.data;

  const back = (
    <Anchor
      href="/webhooks"
      size="sm"
      onClick={(e) => {
        e.preventDefault();
        void navigate({ to: '/webhooks' });
      }}
    >
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('back')}
      </Group>
    </Anchor>
  );
  if (webhook.error) {
    return (
      <Stack>
        {back}
        <ProblemAlert error={webhook.error} />
      </Stack>
    );
  }
  if (!w) {
    return (
      <Stack>
        {back}
        <Skeleton h={40} w="60%" />
        <Skeleton h={80} />
        <Skeleton h={300} />
      </Stack>
    );
  }

  const sendTest = async () => {
    setTesting(true);
    try {
      const d = await testWebhook(w.id);
      await invalidateWebhooks(queryClient);
      notify({ color: 'teal', message: t('test.sent') });
      setSearch({ tab: undefined, delivery: d.id }, { keepPage: true });
    } catch (e) {
      notify({ color: 'red', title: t('test.failed'), message: e instanceof Error ? e.message : String(e) });
    } finally {
      setTesting(false);
    }
  };
  const rotate = () =>
    confirmDestructive({
      target: t('rotate.target', { url: w.url }),
      confirmLabel: t('rotate.confirm'),
      onConfirm: async (reason) => {
        const r = await rotateWebhookSecret(w.id, { reason });
        await invalidateWebhooks(queryClient);
        openSecretOnce({
          title: t('rotate.done'),
          secret: r.secret,
          description: (
            <Text size="sm">
              {t('rotate.grace')} <Timestamp value={r.secretRotationEndsAt} />
            </Text>
          ),
        });
      },
    });
  const host = (() => {
    try {
      return new URL(w.url).host;
    } catch {
      return w.url;
    }
  })();
  const remove = () =>
    confirmDestructive({
      target: t('delete.target', { url: w.url }),
      typeToConfirm: host,
      confirmLabel: t('delete.confirm'),
      onConfirm: async (reason) => {
        await deleteWebhook(w.id, { reason });
        await invalidateWebhooks(queryClient);
        void navigate({ to: '/webhooks' });
      },
    });
  const reenable = () =>
    confirmDestructive({
      target: t('reenable.target', { url: w.url }),
      confirmLabel: t('reenable.confirm'),
      onConfirm: async (reason) => {
        await patchWebhook(w.id, { active: true }, { reason });
        await invalidateWebhooks(queryClient);
      },
    });
  const rotationRunning = w.secretRotationEndsAt && Date.parse(w.secretRotationEndsAt) > Date.now();

  return (
    <Stack>
      {back}
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Group gap="sm" wrap="nowrap">
            <Title order={2} style={{ wordBreak: 'break-all' }}>
              {w.url}
            </Title>
            <div style={{ flexShrink: 0 }}>
              <StatusBadge webhook={w} />
            </div>
          </Group>
          {w.description ? (
            <Text size="sm" c="dimmed">
              {w.description}
            </Text>
          ) : null}
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Guarded permission="webhooks.write">
            <Button variant="light" leftSection={<IconSend size={16} />} loading={testing} onClick={() => void sendTest()}>
              {t('test.button')}
            </Button>
          </Guarded>
          <Guarded permission="webhooks.write">
            <Button variant="default" leftSection={<IconKey size={16} />} onClick={() => void rotate()}>
              {t('rotate.button')}
            </Button>
          </Guarded>
          <Guarded permission="webhooks.write">
            <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => void remove()}>
              {t('delete.button')}
            </Button>
          </Guarded>
        </Group>
      </Group>
      {!w.active && w.disabledReason ? (
        <Alert color="red" title={t('status.disabledTitle')}>
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{t(`status.reason.${w.disabledReason}`, { defaultValue: w.disabledReason })}</Text>
            <Guarded permission="webhooks.write">
              <Button size="xs" leftSection={<IconPlayerPlay size={14} />} onClick={() => void reenable()}>
                {t('reenable.button')}
              </Button>
            </Guarded>
          </Stack>
        </Alert>
      ) : null}
      {rotationRunning ? (
        <Alert color="blue" variant="light">
          <Text size="sm">
            {t('rotate.running')} <Timestamp value={w.secretRotationEndsAt} />
          </Text>
        </Alert>
      ) : null}
      <HealthStrip webhook={w} />
      <Tabs value={s.tab ?? 'deliveries'} onChange={(v) => setSearch({ tab: v === 'deliveries' || !v ? undefined : (v as (typeof DETAIL_TABS)[number]) }, { keepPage: true })} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="deliveries">{t('tab.deliveries')}</Tabs.Tab>
          <Tabs.Tab value="settings">{t('tab.settings')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="deliveries" pt="md">
          <Deliveries webhook={w} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <Paper withBorder p="md" maw={960}>
            {!canWrite ? (
              <Text size="sm" c="dimmed" mb="sm">
                {t('readOnly')}
              </Text>
            ) : null}
            <WebhookForm
              draftKey={`webhooks.edit.${w.id}`}
              initial={{ url: w.url, description: w.description ?? '', events: w.events, active: w.active }}
              submitLabel={t('save')}
              readOnly={!canWrite}
              onSubmit={async (v) => {
                await patchWebhook(w.id, { url: v.url.trim(), events: v.events, active: v.active, description: v.description.trim() || null });
                await invalidateWebhooks(queryClient);
                notify({ color: 'teal', message: t('saved') });
              }}
            />
          </Paper>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
