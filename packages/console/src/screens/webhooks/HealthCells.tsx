import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Webhook } from '../../api/generated/model/webhook.ts';
import type { WebhookHealth } from '../../api/generated/model/webhookHealth.ts';
import { Timestamp } from '../../components/Timestamp.tsx';

/** Enabled, paused by an operator, or disabled by Gatrix and why. */
export function StatusBadge({ webhook }: { webhook: Pick<Webhook, 'active' | 'disabledReason' | 'failingSince'> }) {
  const { t } = useTranslation('webhooks');
  if (webhook.active) {
    return webhook.failingSince ? (
      <Tooltip label={t('status.failingSince', { time: new Date(webhook.failingSince).toLocaleString() })}>
        <Badge color="orange" variant="dot">
          {t('status.failing')}
        </Badge>
      </Tooltip>
    ) : (
      <Badge color="teal" variant="dot">
        {t('status.active')}
      </Badge>
    );
  }
  if (webhook.disabledReason) {
    return (
      <Tooltip label={t(`status.reason.${webhook.disabledReason}`, { defaultValue: webhook.disabledReason })} multiline w={280}>
        <Badge color="red" variant="filled">
          {t('status.disabled')} · {t(`status.reasonShort.${webhook.disabledReason}`, { defaultValue: webhook.disabledReason })}
        </Badge>
      </Tooltip>
    );
  }
  return (
    <Badge color="gray" variant="dot">
      {t('status.paused')}
    </Badge>
  );
}

/** A success rate (0…1) as a percentage, green / orange / red; a dash with no attempts. */
export function SuccessRate({ rate, attempts }: { rate: number | null | undefined; attempts?: number }) {
  const { t } = useTranslation('webhooks');
  if (rate === null || rate === undefined) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const color = rate >= 0.99 ? 'teal' : rate >= 0.9 ? 'orange' : 'red';
  return (
    <Tooltip label={t('health.attempts', { count: attempts ?? 0 })} disabled={attempts === undefined}>
      <Badge variant="dot" color={color} size="md" tt="none" style={{ fontVariantNumeric: 'tabular-nums' }}>
        {(rate * 100).toFixed(rate === 1 ? 0 : 1)}%
      </Badge>
    </Tooltip>
  );
}

/** When the endpoint last failed, with the answer's status or the error. */
export function LastFailure({ health }: { health: WebhookHealth | undefined }) {
  const { t } = useTranslation('webhooks');
  const f = health?.lastFailure;
  if (!f) {
    return (
      <Text size="sm" c="dimmed">
        {t('health.noFailure')}
      </Text>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      <Timestamp value={f.at} withSeconds={false} />
      <Tooltip label={f.error ?? ''} disabled={!f.error} multiline w={300}>
        <Badge color="red" variant="outline" size="sm">
          {f.statusCode ?? t('health.noAnswer')}
        </Badge>
      </Tooltip>
    </Group>
  );
}
