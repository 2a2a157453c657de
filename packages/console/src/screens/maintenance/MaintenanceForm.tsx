/**
 * The maintenance window form shared by a world, a bulk change across worlds and global maintenance: start now or
 * schedule (start/end with the date-time picker, zone shown), messages per language with "missing" markers for the
 * languages in use elsewhere, a preview of what a game client sees, and the reason for the audit log.
 */
import '@mantine/dates/styles.css';
import { zodResolver } from '@hookform/resolvers/zod';
import { ActionIcon, Badge, Button, Group, Paper, SegmentedControl, Select, Stack, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useLayoutEffect, useMemo, useState, type ReactNode } from 'react';
import { Controller, useFieldArray, useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../../api/errors.ts';
import type { MaintenanceBody } from '../../api/generated/model/index.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useCan } from '../../auth/useCan.ts';
import { MAX_REASON_LENGTH } from '../../api/fetcher.ts';
import { localZoneName, useTimeZoneMode } from '../../lib/preferences.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { fromPickerValue, LANG_TAG, missingLanguages, resolveMessage, toPickerValue, type Messages } from './logic.ts';

export interface MaintenanceInitial {
  message: string | null;
  messages: Messages;
  startsAt: string | null;
  endsAt: string | null;
}

const schema = z
  .object({
    when: z.enum(['now', 'schedule']),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    message: z.string().max(2000, 'errors.tooLong'),
    messages: z.array(z.object({ lang: z.string(), text: z.string().max(2000, 'errors.tooLong') })),
    reason: z.string().max(MAX_REASON_LENGTH),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.messages.forEach((m, i) => {
      if (!m.text.trim()) return;
      if (!LANG_TAG.test(m.lang.trim())) ctx.addIssue({ code: 'custom', path: ['messages', i, 'lang'], message: 'errors.lang' });
      else if (seen.has(m.lang.trim().toLowerCase())) ctx.addIssue({ code: 'custom', path: ['messages', i, 'lang'], message: 'errors.duplicateLang' });
      seen.add(m.lang.trim().toLowerCase());
    });
    if (!v.message.trim() && !v.messages.some((m) => m.text.trim())) ctx.addIssue({ code: 'custom', path: ['message'], message: 'errors.messageRequired' });
    if (v.when === 'schedule' && !v.startsAt) ctx.addIssue({ code: 'custom', path: ['startsAt'], message: 'errors.startRequired' });
  });
type Values = z.infer<typeof schema>;

function initialValues(initial: MaintenanceInitial | undefined, languages: string[], mode: 'local' | 'utc'): Values {
  const messages = initial?.messages ?? {};
  const keys = Object.keys(messages);
  const rows = [...keys.map((lang) => ({ lang, text: messages[lang] })), ...missingLanguages(messages, languages).map((lang) => ({ lang, text: '' }))];
  const scheduled = Boolean(initial?.startsAt && Date.parse(initial.startsAt) > Date.now());
  return {
    when: scheduled ? 'schedule' : 'now',
    startsAt: scheduled ? toPickerValue(initial?.startsAt, mode) : null,
    endsAt: toPickerValue(initial?.endsAt, mode),
    message: initial?.message ?? '',
    messages: rows,
    reason: '',
  };
}

export interface MaintenanceFormProps {
  /** Where the draft is kept (sessionStorage), e.g. `worlds.maintenance.3`. */
  draftKey: string;
  initial?: MaintenanceInitial;
  /** Languages in use (other worlds, global maintenance, ko and en): each without a message is marked missing. */
  languages: string[];
  submitLabel: string;
  /**
   * Sends the change; a rejection (ApiError) is shown above the buttons and on its field. Resolving `false` means
   * "not done" (a confirmation was cancelled): the form keeps its values.
   */
  onSubmit: (body: MaintenanceBody, reason: string) => Promise<unknown>;
  /** Ask for the audit reason in the form (default); off when a confirmation asks for it instead. */
  withReason?: boolean;
  /** Shown between the form and its buttons (impact of the change). */
  children?: ReactNode;
  onCancel?: () => void;
  /** Called after a successful submit, once the form is clean (close a drawer, navigate). */
  onDone?: () => void;
}

export function MaintenanceForm({ draftKey, initial, languages, submitLabel, onSubmit, withReason = true, children, onCancel, onDone }: MaintenanceFormProps) {
  const { t } = useTranslation('maintenance');
  const readOnly = !useCan('ops.write');
  const mode = useTimeZoneMode();
  const defaults = useMemo(() => initialValues(initial, languages, mode), [initial, languages, mode]);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: defaults });
  // The server's state changed (a save, a live event, the languages in use arriving): follow it unless there are
  // unsaved edits. A layout effect, so it runs in the render's own task: a passive effect runs later, at the latest
  // when the next input event is handled, after the form has taken that keystroke but before it re-rendered, so
  // `isDirty` still said false and the reset wiped out what was just typed (seen in the end-to-end tests).
  useLayoutEffect(() => {
    if (!form.formState.isDirty) form.reset(defaults);
  }, [defaults, form]);
  const draft = useDraft(draftKey, form);
  useUnsavedChangesGuard(form.formState.isDirty && !readOnly);
  const rows = useFieldArray({ control: form.control, name: 'messages' });
  const [error, setError] = useState<unknown>();
  // Leaves (onDone) only once the reset form rendered: the unsaved-changes guard then lets the navigation through.
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!saved) return;
    setSaved(false);
    onDone?.();
  }, [saved, onDone]);
  const [preview, setPreview] = useState<string>(languages[0] ?? 'en');
  const watched = useWatch({ control: form.control });
  const when = watched.when ?? 'now';
  const zone = mode === 'utc' ? 'UTC' : localZoneName();

  const current: Messages = Object.fromEntries((watched.messages ?? []).filter((m) => m?.lang && m.text?.trim()).map((m) => [m!.lang!.trim(), m!.text!.trim()]));
  const shown = resolveMessage(watched.message?.trim() || null, current, preview);
  const previewLanguages = [...new Set([...languages, ...Object.keys(current)])];

  const submit = form.handleSubmit(async (v) => {
    setError(undefined);
    const body: MaintenanceBody = {
      enabled: true,
      message: v.message.trim() || null,
      messages: Object.fromEntries(v.messages.filter((m) => m.text.trim()).map((m) => [m.lang.trim(), m.text.trim()])),
      startsAt: v.when === 'schedule' ? fromPickerValue(v.startsAt, mode) : null,
      endsAt: fromPickerValue(v.endsAt, mode),
    };
    try {
      if ((await onSubmit(body, v.reason)) === false) return;
      draft.clear();
      form.reset(v);
      setSaved(true);
    } catch (e) {
      setError(e);
      if (isApiError(e)) {
        for (const [field, message] of Object.entries(e.fieldErrors)) {
          if (['startsAt', 'endsAt', 'message'].includes(field)) form.setError(field as 'startsAt', { message });
        }
      }
    }
  });
  const fieldError = (message: string | undefined) => (message ? t(message, { defaultValue: message }) : undefined);
  /** What the start and end pickers share: seconds, the format, and labelled buttons. */
  const pickerProps = {
    withSeconds: true,
    valueFormat: 'YYYY-MM-DD HH:mm:ss',
    clearable: true,
    clearButtonProps: { 'aria-label': t('form.clear') },
    timePickerProps: { hoursInputLabel: t('form.hours'), minutesInputLabel: t('form.minutes'), secondsInputLabel: t('form.seconds') },
    submitButtonProps: { 'aria-label': t('form.pick') },
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <Stack gap="md">
          <Controller
            control={form.control}
            name="when"
            render={({ field }) => (
              <SegmentedControl
                aria-label={t('form.when')}
                value={field.value}
                onChange={field.onChange}
                data={[
                  { value: 'now', label: t('form.now') },
                  { value: 'schedule', label: t('form.schedule') },
                ]}
                w="fit-content"
              />
            )}
          />
          <Group grow align="flex-start">
            {when === 'schedule' ? (
              <Controller
                control={form.control}
                name="startsAt"
                render={({ field, fieldState }) => (
                  <DateTimePicker
                    label={t('form.startsAt')}
                    description={t('form.zone', { zone })}
                    {...pickerProps}
                    value={field.value}
                    onChange={field.onChange}
                    error={fieldError(fieldState.error?.message)}
                  />
                )}
              />
            ) : null}
            <Controller
              control={form.control}
              name="endsAt"
              render={({ field, fieldState }) => (
                <DateTimePicker
                  label={t('form.endsAt')}
                  description={t('form.endsAtHint', { zone })}
                  {...pickerProps}
                  value={field.value}
                  onChange={field.onChange}
                  error={fieldError(fieldState.error?.message)}
                />
              )}
            />
          </Group>

          <Textarea
            label={t('form.defaultMessage')}
            description={t('form.defaultMessageHint')}
            autosize
            minRows={1}
            {...form.register('message')}
            error={fieldError(form.formState.errors.message?.message)}
          />

          <Stack gap={6}>
            <Text size="sm" fw={500}>
              {t('form.messages')}
            </Text>
            {rows.fields.map((row, i) => {
              const text = watched.messages?.[i]?.text ?? '';
              return (
                <Group key={row.id} gap="xs" align="flex-start" wrap="nowrap" data-testid={`message-row-${row.lang || i}`}>
                  <TextInput
                    aria-label={t('form.language')}
                    w={92}
                    {...form.register(`messages.${i}.lang`)}
                    error={fieldError(form.formState.errors.messages?.[i]?.lang?.message)}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  />
                  <Textarea
                    aria-label={t('form.messageIn', { lang: watched.messages?.[i]?.lang || '?' })}
                    autosize
                    minRows={1}
                    style={{ flex: 1 }}
                    {...form.register(`messages.${i}.text`)}
                    error={fieldError(form.formState.errors.messages?.[i]?.text?.message)}
                  />
                  {!text.trim() ? (
                    <Tooltip label={t('form.missingHint')}>
                      <Badge color="orange" variant="dot" mt={8} style={{ flexShrink: 0 }}>
                        {t('form.missing')}
                      </Badge>
                    </Tooltip>
                  ) : null}
                  <ActionIcon variant="subtle" color="gray" mt={4} aria-label={t('form.removeLanguage', { lang: watched.messages?.[i]?.lang || '?' })} onClick={() => rows.remove(i)}>
                    <IconTrash size={16} />
                  </ActionIcon>
                </Group>
              );
            })}
            <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => rows.append({ lang: '', text: '' })}>
              {t('form.addLanguage')}
            </Button>
          </Stack>

          <Paper withBorder p="sm" bg="var(--mantine-color-default-hover)">
            <Group justify="space-between" mb={6} wrap="nowrap">
              <Text size="sm" fw={600}>
                {t('preview.title')}
              </Text>
              <Select aria-label={t('preview.language')} data={previewLanguages} value={preview} onChange={(v) => setPreview(v ?? preview)} w={120} size="xs" allowDeselect={false} />
            </Group>
            <Text size="sm" data-testid="maintenance-preview" style={{ whiteSpace: 'pre-wrap' }} c={shown.text ? undefined : 'dimmed'}>
              {shown.text ?? t('preview.none')}
            </Text>
            <Text size="xs" c="dimmed" mt={6}>
              {t(`preview.source.${shown.source}`, { key: shown.key, lang: preview })} {t('preview.how')}
            </Text>
          </Paper>

          {children}

          {withReason ? <Textarea label={t('form.reason')} description={t('form.reasonHint')} autosize minRows={1} maxLength={MAX_REASON_LENGTH} {...form.register('reason')} /> : null}
        </Stack>
      </fieldset>
      {error ? (
        <div style={{ marginTop: 12 }}>
          <ProblemAlert error={error} />
        </div>
      ) : null}
      <Group justify="flex-end" mt="md">
        {onCancel ? (
          <Button variant="default" onClick={onCancel}>
            {t('common:cancel')}
          </Button>
        ) : null}
        <Guarded permission="ops.write">
          <Button type="submit" loading={form.formState.isSubmitting}>
            {submitLabel}
          </Button>
        </Guarded>
      </Group>
    </form>
  );
}
