import { Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Timestamp } from './Timestamp.tsx';

/** A table cell for a start/end window (whitelist entries, notices): "from … until …", or "Always" when open. */
export function WindowCell({ startsAt, endsAt }: { startsAt: string | null; endsAt: string | null }) {
  const { t } = useTranslation('common');
  if (!startsAt && !endsAt) {
    return (
      <Text size="sm" c="dimmed">
        {t('window.always')}
      </Text>
    );
  }
  return (
    <Stack gap={0}>
      <Text size="xs">
        {t('window.from')} <Timestamp value={startsAt} withSeconds={false} />
      </Text>
      <Text size="xs">
        {t('window.until')} <Timestamp value={endsAt} withSeconds={false} />
      </Text>
    </Stack>
  );
}
