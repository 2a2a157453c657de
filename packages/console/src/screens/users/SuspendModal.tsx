import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_REASON_LENGTH } from '../../api/fetcher.ts';
import { isApiError } from '../../api/errors.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';

/** Asks for a suspension's reason (required, kept in the audit log and on the account) and optional end. */
export function SuspendModal({ opened, target, onClose, onSubmit }: { opened: boolean; target: string; onClose: () => void; onSubmit: (v: { reason: string; until?: string }) => Promise<unknown> }) {
  const { t, i18n } = useTranslation('users');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [touched, setTouched] = useState(false);
  const close = () => {
    setReason('');
    setUntil(null);
    setError(null);
    setTouched(false);
    onClose();
  };
  const untilIso = until ? new Date(until.replace(' ', 'T')).toISOString() : undefined;
  const submit = async () => {
    setTouched(true);
    if (!reason.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ reason: reason.trim(), until: untilIso });
      close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const untilError = isApiError(error) ? error.fieldErrors.until : undefined;
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>{t('suspend.title', { target })}</Text>} centered>
      <Stack>
        {error && !untilError ? <ProblemAlert error={error} /> : null}
        <Textarea
          label={t('suspend.reason')}
          description={t('suspend.reasonHint')}
          required
          value={reason}
          maxLength={MAX_REASON_LENGTH}
          autosize
          minRows={2}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={touched && !reason.trim() ? t('suspend.reasonRequired') : undefined}
          data-autofocus
        />
        <DateTimePicker
          label={t('suspend.until')}
          description={untilIso ? undefined : t('suspend.untilHint')}
          placeholder={t('suspend.untilPlaceholder')}
          value={until}
          onChange={setUntil}
          clearable
          clearButtonProps={{ 'aria-label': t('suspend.clearUntil') }}
          minDate={new Date()}
          valueFormat="YYYY-MM-DD HH:mm"
          locale={i18n.language}
          error={untilError}
        />
        {untilIso ? (
          <Text size="sm" c="dimmed" data-testid="lifted-at">
            {t('suspend.liftedAt')} <Timestamp value={untilIso} withSeconds={false} />
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t('common:cancel')}
          </Button>
          <Button color="red" onClick={() => void submit()} loading={busy}>
            {t('suspend.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
