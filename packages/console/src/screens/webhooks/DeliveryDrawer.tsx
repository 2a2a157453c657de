import { Accordion, Badge, Button, Code, Drawer, Group, ScrollArea, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invalidateWebhooks } from './cache.ts';
import type { WebhookAttempt } from '../../api/generated/model/webhookAttempt.ts';
import { retryWebhookDelivery, useGetWebhookDelivery } from '../../api/generated/webhooks/webhooks.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { DeliveryStatus } from './DeliveryStatus.tsx';

function Headers({ headers, label }: { headers: Record<string, string> | null | undefined; label: string }) {
  const { t } = useTranslation('webhooks');
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        {t('drawer.noHeaders')}
      </Text>
    );
  }
  return (
    <Table fz="xs" verticalSpacing={2} withRowBorders={false} aria-label={label}>
      <Table.Tbody>
        {entries.map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Td ff="monospace" c="dimmed" style={{ whiteSpace: 'nowrap', verticalAlign: 'top' }}>
              {k}
            </Table.Td>
            <Table.Td ff="monospace" style={{ wordBreak: 'break-all' }}>
              {String(v)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** A body as sent or received: JSON pretty-printed when it is JSON. */
function Body({ value }: { value: unknown }) {
  const { t } = useTranslation('webhooks');
  if (value === null || value === undefined || value === '') {
    return (
      <Text size="xs" c="dimmed">
        {t('drawer.noBody')}
      </Text>
    );
  }
  let text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      // not JSON: as received
    }
  }
  return (
    <ScrollArea.Autosize mah={260} type="auto">
      <Code block fz="xs">
        {text}
      </Code>
    </ScrollArea.Autosize>
  );
}

function Attempt({ a, payload }: { a: WebhookAttempt; payload: unknown }) {
  const { t } = useTranslation('webhooks');
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
      <Stack gap={6}>
        <Title order={5}>{t('drawer.request')}</Title>
        <Text size="xs" fw={600}>
          {t('drawer.headers')}
        </Text>
        <Headers headers={a.requestHeaders} label={t('drawer.requestHeaders')} />
        <Text size="xs" fw={600}>
          {t('drawer.body')}
        </Text>
        <Body value={payload} />
      </Stack>
      <Stack gap={6} data-testid="attempt-response">
        <Title order={5}>{t('drawer.response')}</Title>
        <Group gap="xs">
          <Text size="sm">{t('drawer.status')}</Text>
          <Badge color={a.responseStatus !== null && a.responseStatus < 300 ? 'teal' : 'red'} variant="dot">
            {a.responseStatus ?? t('health.noAnswer')}
          </Badge>
          <Text size="sm" c="dimmed">
            {t('drawer.duration', { ms: a.durationMs })}
          </Text>
        </Group>
        {a.error ? (
          <Text size="sm" c="red">
            {a.error}
          </Text>
        ) : null}
        <Text size="xs" fw={600}>
          {t('drawer.headers')}
        </Text>
        <Headers headers={a.responseHeaders} label={t('drawer.responseHeaders')} />
        <Text size="xs" fw={600}>
          {t('drawer.body')}
        </Text>
        <Body value={a.responseBody} />
      </Stack>
    </SimpleGrid>
  );
}

/** One delivery: what was sent, every attempt's request and answer, and "retry now". */
export function DeliveryDrawer({ id, onClose }: { id: number | undefined; onClose: () => void }) {
  const { t } = useTranslation('webhooks');
  const queryClient = useQueryClient();
  const [retryError, setRetryError] = useState<unknown>();
  const [retrying, setRetrying] = useState(false);
  const delivery = useGetWebhookDelivery(id ?? 0, {
    query: { enabled: id !== undefined, refetchInterval: (q) => (q.state.data && ['pending', 'delivering'].includes(q.state.data.status) ? 2000 : false) },
  });
  const d = delivery.data;
  const attempts = [...(d?.attemptsLog ?? [])].reverse();
  const retry = async () => {
    if (!d) return;
    setRetrying(true);
    setRetryError(undefined);
    try {
      await retryWebhookDelivery(d.id);
      await invalidateWebhooks(queryClient);
    } catch (e) {
      setRetryError(e);
    } finally {
      setRetrying(false);
    }
  };
  return (
    <Drawer opened={id !== undefined} onClose={onClose} position="right" size="xl" title={<Text fw={600}>{t('drawer.title', { id })}</Text>}>
      {delivery.error ? <ProblemAlert error={delivery.error} /> : null}
      {delivery.isLoading ? <Skeleton h={300} /> : null}
      {d ? (
        <Stack>
          <Group justify="space-between">
            <Group gap="xs">
              <Code>{d.event}</Code>
              <DeliveryStatus status={d.status} />
            </Group>
            <Guarded permission="webhooks.write">
              <Button size="xs" variant="light" leftSection={<IconRefresh size={14} />} loading={retrying} onClick={() => void retry()}>
                {t('retry.one')}
              </Button>
            </Guarded>
          </Group>
          <ProblemAlert error={retryError} />
          <SimpleGrid cols={2} spacing={4}>
            <Text size="sm" c="dimmed">
              {t('drawer.eventId')}
            </Text>
            <Text size="sm" ff="monospace">
              {d.eventId}
            </Text>
            <Text size="sm" c="dimmed">
              {t('col.created')}
            </Text>
            <Timestamp value={d.createdAt} />
            <Text size="sm" c="dimmed">
              {t('col.deliveredAt')}
            </Text>
            <Timestamp value={d.deliveredAt} />
            <Text size="sm" c="dimmed">
              {t('drawer.nextAttempt')}
            </Text>
            <Timestamp value={d.nextAttemptAt} />
          </SimpleGrid>
          <Title order={4}>{t('drawer.attempts', { count: d.attempts })}</Title>
          {attempts.length === 0 ? (
            <Text size="sm" c="dimmed">
              {t('drawer.noAttempts')}
            </Text>
          ) : (
            <Accordion variant="separated" defaultValue={String(attempts[0].attempt)}>
              {attempts.map((a) => (
                <Accordion.Item key={a.attempt} value={String(a.attempt)}>
                  <Accordion.Control>
                    <Group gap="sm">
                      <Text size="sm" fw={600}>
                        {t('drawer.attempt', { n: a.attempt })}
                      </Text>
                      <Badge color={a.responseStatus !== null && a.responseStatus < 300 ? 'teal' : 'red'} variant="dot" size="sm">
                        {a.responseStatus ?? t('health.noAnswer')}
                      </Badge>
                      <Timestamp value={a.createdAt} />
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Attempt a={a} payload={d.payload} />
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          )}
        </Stack>
      ) : null}
    </Drawer>
  );
}
