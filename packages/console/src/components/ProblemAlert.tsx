import { Alert, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/errors.ts';

/** Shows a failed call: the server's detail (or a translated text for well-known codes), the field, the request id. */
export function ProblemAlert({ error, title }: { error: unknown; title?: string }) {
  const { t } = useTranslation('common');
  if (!error) return null;
  const api = isApiError(error) ? error : undefined;
  const known = api ? t(`problem.${api.code}`, { defaultValue: '' }) : '';
  const detail = api ? api.detail || known : error instanceof Error ? error.message : String(error);
  return (
    <Alert color="red" icon={<IconAlertTriangle size={18} />} title={title ?? (known || t('error'))} role="alert">
      <Text size="sm">
        {api?.field ? <strong>{api.field}: </strong> : null}
        {detail}
      </Text>
      {api?.requestId ? (
        <Text size="xs" c="dimmed" mt={4}>
          {t('requestId', { id: api.requestId })}
        </Text>
      ) : null}
    </Alert>
  );
}
