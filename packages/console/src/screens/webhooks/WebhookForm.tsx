import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useLayoutEffect, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../../api/errors.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useDraft } from '../../auth/useDraft.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { EventPicker } from './EventPicker.tsx';

const schema = z.object({
  url: z
    .string()
    .trim()
    .min(1, 'urlRequired')
    .max(2048, 'urlTooLong')
    .refine((v) => /^https?:\/\/[^\s/]+/i.test(v), 'urlInvalid'),
  description: z.string().max(2000, 'descriptionTooLong'),
  events: z.array(z.string()).min(1, 'eventsRequired'),
  active: z.boolean(),
});
export type WebhookFormValues = z.infer<typeof schema>;
export const EMPTY_WEBHOOK: WebhookFormValues = { url: '', description: '', events: [], active: true };

/**
 * URL, description, events and enabled, for a new endpoint or an existing one. `onSubmit` rejects with the API's
 * error, shown next to its field (or above the form).
 */
export function WebhookForm({
  draftKey,
  initial,
  submitLabel,
  readOnly,
  onSubmit,
  onCancel,
}: {
  draftKey: string;
  initial: WebhookFormValues;
  submitLabel: string;
  readOnly?: boolean;
  onSubmit: (v: WebhookFormValues) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const { t } = useTranslation('webhooks');
  const form = useForm<WebhookFormValues>({ resolver: zodResolver(schema), defaultValues: initial });
  const draft = useDraft(draftKey, form);
  useUnsavedChangesGuard(form.formState.isDirty);
  const { reset } = form;
  const initialJson = JSON.stringify(initial);
  // A save elsewhere (another operator, a live event) brings new values: show them unless this form has edits.
  // A layout effect, for the reason given in MaintenanceForm.tsx: typing must never be reset away.
  useLayoutEffect(() => {
    if (!form.formState.isDirty) reset(JSON.parse(initialJson) as WebhookFormValues);
  }, [initialJson, reset, form.formState.isDirty]);

  const [submitError, setSubmitError] = useState<unknown>();
  const submit = form.handleSubmit(async (v) => {
    setSubmitError(undefined);
    try {
      await onSubmit(v);
      draft.clear();
      reset(v);
    } catch (e) {
      const fields = isApiError(e) ? e.fieldErrors : {};
      let placed = false;
      for (const name of ['url', 'events', 'description', 'active'] as const) {
        const msg = fields[name] ?? Object.entries(fields).find(([k]) => k.startsWith(`${name}/`) || k.startsWith(`${name}.`))?.[1];
        if (msg) {
          form.setError(name, { type: 'server', message: msg });
          placed = true;
        }
      }
      if (!placed) setSubmitError(e);
    }
  });
  const msg = (m: string | undefined) => (m ? t(`form.${m}`, { defaultValue: m }) : undefined);
  const errs = form.formState.errors;
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack>
        <ProblemAlert error={submitError} />
        <TextInput
          label={t('form.url')}
          description={t('form.urlHint')}
          placeholder="https://example.com/gatrix/webhook"
          required
          readOnly={readOnly}
          {...form.register('url')}
          error={msg(errs.url?.message)}
        />
        <Textarea label={t('form.description')} autosize minRows={1} readOnly={readOnly} {...form.register('description')} error={msg(errs.description?.message)} />
        <Controller
          control={form.control}
          name="events"
          render={({ field }) => <EventPicker value={field.value} onChange={field.onChange} disabled={readOnly} error={msg(errs.events?.message)} />}
        />
        <Controller
          control={form.control}
          name="active"
          render={({ field }) => (
            <Switch label={t('form.active')} description={t('form.activeHint')} checked={field.value} disabled={readOnly} onChange={(e) => field.onChange(e.currentTarget.checked)} />
          )}
        />
        {readOnly ? null : (
          <Group justify="flex-end">
            {onCancel ? (
              <Button variant="default" onClick={onCancel}>
                {t('common:cancel')}
              </Button>
            ) : null}
            <Button type="submit" loading={form.formState.isSubmitting} disabled={!form.formState.isDirty && !onCancel}>
              {submitLabel}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
