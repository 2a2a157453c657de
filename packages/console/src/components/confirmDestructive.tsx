import { Button, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { modals } from '@mantine/modals';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_REASON_LENGTH } from '../api/fetcher.ts';
import { ProblemAlert } from './ProblemAlert.tsx';

export interface ConfirmDestructiveOptions {
  /** What is acted on, shown in the title and the text ("user alice", "3 game worlds"). */
  target: string;
  /** When set, the confirm button is enabled only once this exact text is typed (e.g. the item's name). */
  typeToConfirm?: string;
  /** The confirm button's label (default: "Confirm"). */
  confirmLabel?: string;
  /**
   * Does the action; receives the reason typed (may be empty), which the caller sends as `X-Audit-Reason`
   * (`mutate({ … }, { request: { reason } })` or `apiFetch(cfg, { reason })`). A rejection keeps the modal open and
   * shows the error.
   */
  onConfirm: (reason: string) => Promise<unknown> | unknown;
}

/**
 * Asks before a destructive or admin action: names the target, asks for a reason (for the audit log) and, optionally,
 * to type the target's name. Resolves true when the action ran, false when cancelled. Needs the shell's ModalsProvider.
 */
export function confirmDestructive(options: ConfirmDestructiveOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      resolve(ok);
    };
    const id = modals.open({
      title: <ConfirmTitle target={options.target} />,
      centered: true,
      onClose: () => finish(false),
      children: (
        <ConfirmBody
          options={options}
          onCancel={() => {
            finish(false);
            modals.close(id);
          }}
          onDone={() => {
            finish(true);
            modals.close(id);
          }}
        />
      ),
    });
  });
}

function ConfirmTitle({ target }: { target: string }) {
  const { t } = useTranslation('common');
  return <Text fw={600}>{t('destructive.title', { target })}</Text>;
}

function ConfirmBody({ options, onCancel, onDone }: { options: ConfirmDestructiveOptions; onCancel: () => void; onDone: () => void }) {
  const { t } = useTranslation('common');
  const [reason, setReason] = useState('');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const matches = options.typeToConfirm === undefined || typed === options.typeToConfirm;
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await options.onConfirm(reason.trim());
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack>
      <Text size="sm">{t('destructive.body', { target: options.target })}</Text>
      {error ? <ProblemAlert error={error} /> : null}
      <Textarea
        label={t('destructive.reason')}
        description={t('destructive.reasonHint')}
        value={reason}
        maxLength={MAX_REASON_LENGTH}
        autosize
        minRows={2}
        onChange={(e) => setReason(e.currentTarget.value)}
        data-autofocus
      />
      {options.typeToConfirm !== undefined ? (
        <TextInput
          label={t('destructive.typeToConfirm', { text: options.typeToConfirm })}
          value={typed}
          onChange={(e) => setTyped(e.currentTarget.value)}
          error={typed && !matches ? t('destructive.mismatch') : undefined}
          autoComplete="off"
        />
      ) : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel} disabled={busy}>
          {t('cancel')}
        </Button>
        <Button color="red" onClick={() => void confirm()} loading={busy} disabled={!matches}>
          {options.confirmLabel ?? t('confirm')}
        </Button>
      </Group>
    </Stack>
  );
}
