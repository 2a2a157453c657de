import { Alert, Stack, Title } from '@mantine/core';
import { IconTools } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The placeholder page of a screen not built yet: its translated title and a notice. */
export function NotBuiltYet({ ns, titleKey = 'title', values }: { ns: string; titleKey?: string; values?: Record<string, unknown> }) {
  const { t } = useTranslation([ns, 'common']);
  return (
    <Stack>
      <Title order={2}>{t(`${ns}:${titleKey}`, values)}</Title>
      <Alert icon={<IconTools size={18} />} title={t('common:notBuiltYet.title')} color="gray">
        {t('common:notBuiltYet.body')}
      </Alert>
    </Stack>
  );
}
