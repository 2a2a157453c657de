import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, SegmentedControl, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { useCreateWhitelistEntry, useUpdateWhitelistEntry } from '../../api/generated/whitelist/whitelist.ts';
import type { WhitelistEntry } from '../../api/generated/model/whitelistEntry.ts';
import { isApiError } from '../../api/errors.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { normalizeIp } from './lines.ts';
import { fromLocalInput, toLocalInput } from './window.ts';
import { notify } from '../../lib/notify.ts';

const schema = z
  .object({
    type: z.enum(['account', 'ip']),
    value: z.string().trim().min(1, 'required').max(128, 'tooLong'),
    memo: z.string().max(500, 'tooLong'),
    enabled: z.boolean(),
    startsAt: z.string(),
    endsAt: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'ip' && v.value && !normalizeIp(v.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'invalidIp' });
    if (v.type === 'account' && /\s/.test(v.value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'invalidAccount' });
    if (v.startsAt && v.endsAt && v.endsAt <= v.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endBeforeStart' });
  });
type Values = z.infer<typeof schema>;

/** Create (no `entry`) or edit one whitelist entry, in a modal. */
export function EntryForm({ entry, onClose }: { entry?: WhitelistEntry; onClose: () => void }) {
  const { t } = useTranslation('whitelist');
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: {
      type: entry?.type ?? 'account',
      value: entry?.value ?? '',
      memo: entry?.memo ?? '',
      enabled: entry?.enabled ?? true,
      startsAt: toLocalInput(entry?.startsAt),
      endsAt: toLocalInput(entry?.endsAt),
    },
  });
  const draft = useDraft(`whitelist.${entry ? entry.id : 'new'}`, form);
  useUnsavedChangesGuard(form.formState.isDirty);
  const refresh = useInvalidatePaths();
  const create = useCreateWhitelistEntry();
  const update = useUpdateWhitelistEntry();
  const mutation = entry ? update : create;
  const error = mutation.error;
  const fieldError = (name: keyof Values) => {
    const msg = form.formState.errors[name]?.message;
    if (msg) return t(`errors.${msg}`, { defaultValue: msg });
    return isApiError(error) ? error.fieldErrors[name] : undefined;
  };

  const submit = form.handleSubmit((v) => {
    const data = { type: v.type, value: v.value.trim(), memo: v.memo.trim() || null, enabled: v.enabled, startsAt: fromLocalInput(v.startsAt), endsAt: fromLocalInput(v.endsAt) };
    const done = (saved: WhitelistEntry) => {
      draft.clear();
      refresh('/api/v1/whitelist');
      form.reset(v);
      notify({ color: 'green', message: t(entry ? 'saved' : 'created', { value: saved.value }) });
      onClose();
    };
    if (entry) update.mutate({ id: entry.id, data }, { onSuccess: done });
    else create.mutate({ data }, { onSuccess: done });
  });
  const type = form.watch('type');

  return (
    <Modal opened onClose={onClose} title={entry ? t('editTitle', { value: entry.value }) : t('addTitle')} size="lg">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          {draft.restored ? (
            <Text size="xs" c="dimmed">
              {t('draftRestored')}
            </Text>
          ) : null}
          <Controller
            control={form.control}
            name="type"
            render={({ field }) => (
              <Stack gap={4}>
                <Text size="sm" fw={500} id="wl-type-label">
                  {t('filter.type')}
                </Text>
                <SegmentedControl aria-labelledby="wl-type-label" w="fit-content" data={[{ value: 'account', label: t('type.account') }, { value: 'ip', label: t('type.ip') }]} value={field.value} onChange={field.onChange} />
              </Stack>
            )}
          />
          <TextInput
            label={type === 'ip' ? t('field.ip') : t('field.account')}
            description={type === 'ip' ? t('field.ipHint') : undefined}
            withAsterisk
            {...form.register('value')}
            error={fieldError('value')}
            data-autofocus
          />
          <Textarea label={t('field.memo')} autosize minRows={1} maxRows={4} {...form.register('memo')} error={fieldError('memo')} />
          <Group grow align="flex-start">
            <TextInput type="datetime-local" label={t('field.startsAt')} description={t('field.windowHint')} {...form.register('startsAt')} error={fieldError('startsAt')} />
            <TextInput type="datetime-local" label={t('field.endsAt')} description={t('field.windowHint')} {...form.register('endsAt')} error={fieldError('endsAt')} />
          </Group>
          <Controller control={form.control} name="enabled" render={({ field }) => <Switch label={t('field.enabled')} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />} />
          {error && !(isApiError(error) && Object.keys(error.fieldErrors).length > 0) ? <ProblemAlert error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {entry ? t('common:save') : t('add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
