import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { WebhookDeliveryStatus } from '../../api/generated/model/webhookDeliveryStatus.ts';

const COLOR: Record<WebhookDeliveryStatus, string> = { pending: 'yellow', delivering: 'blue', delivered: 'teal', failed: 'red' };

export function DeliveryStatus({ status }: { status: WebhookDeliveryStatus }) {
  const { t } = useTranslation('webhooks');
  return (
    <Badge color={COLOR[status]} variant="dot" data-status={status}>
      {t(`delivery.${status}`)}
    </Badge>
  );
}
