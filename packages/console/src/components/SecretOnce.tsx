import { Alert, Button, Checkbox, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface SecretOnceOptions {
  /** The modal's title ("API key created"). */
  title: string;
  /** The secret, shown in this modal only: the server never returns it again. */
  secret: string;
  /** What the secret is for, or more facts (a grace period), above the secret. */
  description?: ReactNode;
  /** Called once the operator acknowledged and closed the modal. */
  onDone?: () => void;
}

/**
 * Shows a secret the server returns once (a new API key, a webhook secret): a copy button, "you will not see it
 * again", and the modal closes only once the operator acknowledges having stored it (no Escape, no click outside).
 */
export function openSecretOnce({ title, secret, description, onDone }: SecretOnceOptions): void {
  const id = modals.open({
    title,
    centered: true,
    size: 'lg',
    closeOnEscape: false,
    closeOnClickOutside: false,
    withCloseButton: false,
    children: (
      <SecretOnceBody
        secret={secret}
        description={description}
        onDone={() => {
          modals.close(id);
          onDone?.();
        }}
      />
    ),
  });
}

function SecretOnceBody({ secret, description, onDone }: { secret: string; description?: ReactNode; onDone: () => void }) {
  const { t } = useTranslation('common');
  const [ack, setAck] = useState(false);
  return (
    <Stack>
      {description}
      <Alert color="yellow" icon={<IconAlertTriangle size={18} />} title={t('secretOnce.warningTitle')}>
        {t('secretOnce.warning')}
      </Alert>
      <Group gap="xs" wrap="nowrap" align="center">
        <Code block data-testid="secret-once" style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
          {secret}
        </Code>
        <CopyButton value={secret}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'light' : 'default'} color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
              {copied ? t('secretOnce.copied') : t('secretOnce.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Checkbox label={t('secretOnce.ack')} checked={ack} onChange={(e) => setAck(e.currentTarget.checked)} />
      <Group justify="flex-end">
        <Button disabled={!ack} onClick={onDone}>
          {t('secretOnce.done')}
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        {t('secretOnce.hint')}
      </Text>
    </Stack>
  );
}
