/**
 * Create or edit a notice, in a modal: title and body per language (a tab each, the default first), category,
 * priority, window (the maintenance form's date-time pickers and zone), targeting, and a preview of what a game
 * client with a given language, channel, world and version gets.
 */
import '@mantine/dates/styles.css';
import { zodResolver } from '@hookform/resolvers/zod';
import { ActionIcon, Alert, Badge, Button, Group, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Tabs, TagsInput, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Controller, useFieldArray, useForm, useWatch } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../../api/errors.ts';
import { MAX_REASON_LENGTH } from '../../api/fetcher.ts';
import type { CreateNoticeBody, Notice } from '../../api/generated/model/index.ts';
import { createNotice, updateNotice } from '../../api/generated/notices/notices.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { notify } from '../../lib/notify.ts';
import { localZoneName, useTimeZoneMode } from '../../lib/preferences.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { VERSION_RE } from '../client-versions/version.ts';
import { fromPickerValue, LANG_TAG, toPickerValue } from '../maintenance/logic.ts';
import { localize, missFor } from './logic.ts';
import { CATEGORIES } from './search.ts';

const schema = z
  .object({
    title: z.string().trim().min(1, 'required').max(200, 'tooLong'),
    body: z.string().trim().min(1, 'required').max(10_000, 'tooLong'),
    translations: z.array(z.object({ lang: z.string().trim(), title: z.string().trim().max(200, 'tooLong'), body: z.string().trim().max(10_000, 'tooLong') })),
    category: z.enum(CATEGORIES),
    priority: z.number().int('integer'),
    enabled: z.boolean(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    channels: z.array(z.string()),
    subChannels: z.array(z.string()),
    worldIds: z.array(z.string()),
    minVersion: z.string().trim(),
    maxVersion: z.string().trim(),
    reason: z.string().max(MAX_REASON_LENGTH),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.translations.forEach((tr, i) => {
      if (!LANG_TAG.test(tr.lang)) ctx.addIssue({ code: 'custom', path: ['translations', i, 'lang'], message: 'lang' });
      else if (seen.has(tr.lang.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['translations', i, 'lang'], message: 'duplicateLang' });
      seen.add(tr.lang.toLowerCase());
      if (!tr.title) ctx.addIssue({ code: 'custom', path: ['translations', i, 'title'], message: 'required' });
      if (!tr.body) ctx.addIssue({ code: 'custom', path: ['translations', i, 'body'], message: 'required' });
    });
    for (const field of ['minVersion', 'maxVersion'] as const) if (v[field] && !VERSION_RE.test(v[field])) ctx.addIssue({ code: 'custom', path: [field], message: 'version' });
    if (v.startsAt && v.endsAt && v.endsAt <= v.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endBeforeStart' });
  });
type Values = z.infer<typeof schema>;

function initialValues(n: Notice | undefined, mode: 'local' | 'utc'): Values {
  return {
    title: n?.title ?? '',
    body: n?.body ?? '',
    translations: Object.entries(n?.translations ?? {}).map(([lang, text]) => ({ lang, ...text })),
    category: n?.category ?? 'notice',
    priority: n?.priority ?? 0,
    enabled: n?.enabled ?? true,
    startsAt: toPickerValue(n?.startsAt, mode),
    endsAt: toPickerValue(n?.endsAt, mode),
    channels: n?.channels ?? [],
    subChannels: n?.subChannels ?? [],
    worldIds: n?.worldIds ?? [],
    minVersion: n?.minVersion ?? '',
    maxVersion: n?.maxVersion ?? '',
    reason: '',
  };
}

export function NoticeForm({ notice, onClose }: { notice?: Notice; onClose: () => void }) {
  const { t } = useTranslation('notices');
  const mode = useTimeZoneMode();
  const zone = mode === 'utc' ? 'UTC' : localZoneName();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: initialValues(notice, mode) });
  const draft = useDraft(`notices.${notice ? notice.id : 'new'}`, form);
  useUnsavedChangesGuard(form.formState.isDirty);
  const translations = useFieldArray({ control: form.control, name: 'translations' });
  const [tab, setTab] = useState<string>('default');
  const [error, setError] = useState<unknown>();
  const [client, setClient] = useState({ lang: 'en', channel: '', subChannel: '', worldId: '', version: '' });
  const refresh = useInvalidatePaths();
  const watched = useWatch({ control: form.control });
  const errors = form.formState.errors;
  const message = (m: string | undefined) => (m ? t(`errors.${m}`, { defaultValue: m }) : undefined);
  const serverError = (field: string) => (isApiError(error) ? error.fieldErrors[field] : undefined);

  const bodyOf = (v: Values): CreateNoticeBody => ({
    title: v.title,
    body: v.body,
    translations: Object.fromEntries(v.translations.map((tr) => [tr.lang, { title: tr.title, body: tr.body }])),
    category: v.category,
    priority: v.priority,
    enabled: v.enabled,
    startsAt: fromPickerValue(v.startsAt, mode),
    endsAt: fromPickerValue(v.endsAt, mode),
    channels: v.channels,
    subChannels: v.subChannels,
    worldIds: v.worldIds,
    minVersion: v.minVersion || null,
    maxVersion: v.maxVersion || null,
  });

  const submit = form.handleSubmit(async (v) => {
    setError(undefined);
    try {
      const saved = notice ? await updateNotice(notice.id, bodyOf(v), { reason: v.reason }) : await createNotice(bodyOf(v), { reason: v.reason });
      draft.clear();
      form.reset(v);
      refresh('/api/v1/notices');
      notify({ color: 'green', message: t(notice ? 'saved' : 'created', { title: saved.title }) });
      onClose();
    } catch (e) {
      setError(e);
    }
  });

  // The preview: the notice as it stands in the form, for the client described below it.
  const current = (() => {
    const v = watched as Values;
    const translationsMap = Object.fromEntries((v.translations ?? []).filter((tr) => tr?.lang && tr.title && tr.body).map((tr) => [tr.lang, { title: tr.title, body: tr.body }]));
    return {
      title: v.title ?? '',
      body: v.body ?? '',
      translations: translationsMap,
      enabled: v.enabled ?? true,
      startsAt: fromPickerValue(v.startsAt, mode),
      endsAt: fromPickerValue(v.endsAt, mode),
      channels: v.channels ?? [],
      subChannels: v.subChannels ?? [],
      worldIds: v.worldIds ?? [],
      minVersion: v.minVersion || null,
      maxVersion: v.maxVersion || null,
    };
  })();
  const query = { channel: client.channel || undefined, subChannel: client.subChannel || undefined, worldId: client.worldId || undefined, version: client.version || undefined };
  const miss = missFor(current, query);
  const shown = localize(current, client.lang || undefined);
  const previewLanguages = [...new Set(['en', 'ko', ...Object.keys(current.translations)])];

  const pickerProps = {
    withSeconds: true,
    valueFormat: 'YYYY-MM-DD HH:mm:ss',
    clearable: true,
    clearButtonProps: { 'aria-label': t('form.clear') },
    timePickerProps: { hoursInputLabel: t('form.hours'), minutesInputLabel: t('form.minutes'), secondsInputLabel: t('form.seconds') },
    submitButtonProps: { 'aria-label': t('form.pick') },
  };

  return (
    <Modal opened onClose={onClose} title={notice ? t('editTitle', { title: notice.title }) : t('addTitle')} size="xl">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="md">
          {draft.restored ? (
            <Text size="xs" c="dimmed">
              {t('draftRestored')}
            </Text>
          ) : null}
          <Tabs value={tab} onChange={(v) => setTab(v ?? 'default')} keepMounted>
            <Group gap="xs" wrap="nowrap" align="flex-end">
              <Tabs.List style={{ flex: 1 }}>
                <Tabs.Tab value="default">{t('form.default')}</Tabs.Tab>
                {translations.fields.map((f, i) => (
                  <Tabs.Tab key={f.id} value={f.id} c={errors.translations?.[i] ? 'red' : undefined}>
                    {watched.translations?.[i]?.lang || t('form.newLanguage')}
                  </Tabs.Tab>
                ))}
              </Tabs.List>
              <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} onClick={() => translations.append({ lang: '', title: '', body: '' })}>
                {t('form.addLanguage')}
              </Button>
            </Group>
            <Tabs.Panel value="default" pt="sm">
              <Stack gap="sm">
                <TextInput label={t('form.title')} description={t('form.defaultHint')} withAsterisk {...form.register('title')} error={message(errors.title?.message) ?? serverError('title')} data-autofocus />
                <Textarea label={t('form.body')} withAsterisk autosize minRows={3} maxRows={10} {...form.register('body')} error={message(errors.body?.message) ?? serverError('body')} />
              </Stack>
            </Tabs.Panel>
            {translations.fields.map((f, i) => (
              <Tabs.Panel key={f.id} value={f.id} pt="sm">
                <Stack gap="sm">
                  <Group align="flex-end" wrap="nowrap">
                    <TextInput
                      label={t('form.language')}
                      description={t('form.languageHint')}
                      w={200}
                      {...form.register(`translations.${i}.lang`)}
                      error={message(errors.translations?.[i]?.lang?.message)}
                      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                    />
                    <Tooltip label={t('form.removeLanguage')}>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        mb={4}
                        aria-label={t('form.removeLanguageNamed', { lang: watched.translations?.[i]?.lang || '?' })}
                        onClick={() => {
                          translations.remove(i);
                          setTab('default');
                        }}
                      >
                        <IconTrash size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                  <TextInput label={t('form.titleIn', { lang: watched.translations?.[i]?.lang || '?' })} withAsterisk {...form.register(`translations.${i}.title`)} error={message(errors.translations?.[i]?.title?.message)} />
                  <Textarea label={t('form.bodyIn', { lang: watched.translations?.[i]?.lang || '?' })} withAsterisk autosize minRows={3} maxRows={10} {...form.register(`translations.${i}.body`)} error={message(errors.translations?.[i]?.body?.message)} />
                </Stack>
              </Tabs.Panel>
            ))}
          </Tabs>
          {serverError('translations') ? <Text size="sm" c="red">{serverError('translations')}</Text> : null}

          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Controller
              control={form.control}
              name="category"
              render={({ field }) => (
                <Select label={t('form.category')} data={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}`) }))} value={field.value} onChange={(v) => field.onChange(v ?? 'notice')} allowDeselect={false} />
              )}
            />
            <Controller
              control={form.control}
              name="priority"
              render={({ field }) => (
                <NumberInput label={t('form.priority')} description={t('form.priorityHint')} value={field.value} onChange={(v) => field.onChange(typeof v === 'number' ? v : Number(v) || 0)} allowDecimal={false} error={message(errors.priority?.message)} />
              )}
            />
            <Controller control={form.control} name="enabled" render={({ field }) => <Switch mt="xl" label={t('form.enabled')} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />} />
          </SimpleGrid>

          <Group grow align="flex-start">
            <Controller
              control={form.control}
              name="startsAt"
              render={({ field, fieldState }) => (
                <DateTimePicker label={t('form.startsAt')} description={t('form.zone', { zone })} {...pickerProps} value={field.value} onChange={field.onChange} error={message(fieldState.error?.message) ?? serverError('startsAt')} />
              )}
            />
            <Controller
              control={form.control}
              name="endsAt"
              render={({ field, fieldState }) => (
                <DateTimePicker label={t('form.endsAt')} description={t('form.zone', { zone })} {...pickerProps} value={field.value} onChange={field.onChange} error={message(fieldState.error?.message) ?? serverError('endsAt')} />
              )}
            />
          </Group>

          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('form.targeting')}
            </Text>
            <Text size="xs" c="dimmed">
              {t('form.targetingHint')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {(['channels', 'subChannels', 'worldIds'] as const).map((name) => (
                <Controller
                  key={name}
                  control={form.control}
                  name={name}
                  render={({ field }) => <TagsInput label={t(`form.${name}`)} placeholder={t('form.all')} value={field.value} onChange={field.onChange} clearable error={serverError(name)} />}
                />
              ))}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('form.minVersion')} placeholder="1.2.0" {...form.register('minVersion')} error={message(errors.minVersion?.message) ?? serverError('minVersion')} />
              <TextInput label={t('form.maxVersion')} placeholder="1.9.9" {...form.register('maxVersion')} error={message(errors.maxVersion?.message) ?? serverError('maxVersion')} />
            </SimpleGrid>
          </Stack>

          <Paper withBorder p="sm" bg="var(--mantine-color-default-hover)">
            <Text size="sm" fw={600} mb={6}>
              {t('preview.title')}
            </Text>
            <SimpleGrid cols={{ base: 2, sm: 5 }} spacing="xs">
              <Select label={t('preview.language')} data={previewLanguages} value={client.lang} onChange={(v) => setClient({ ...client, lang: v ?? 'en' })} size="xs" allowDeselect={false} searchable />
              <TextInput label={t('preview.channel')} size="xs" value={client.channel} onChange={(e) => setClient({ ...client, channel: e.currentTarget.value })} />
              <TextInput label={t('preview.subChannel')} size="xs" value={client.subChannel} onChange={(e) => setClient({ ...client, subChannel: e.currentTarget.value })} />
              <TextInput label={t('preview.world')} size="xs" value={client.worldId} onChange={(e) => setClient({ ...client, worldId: e.currentTarget.value })} />
              <TextInput label={t('preview.version')} size="xs" value={client.version} onChange={(e) => setClient({ ...client, version: e.currentTarget.value })} />
            </SimpleGrid>
            <Stack gap={4} mt="sm" data-testid="notice-preview">
              {miss ? (
                <Alert color="gray" p="xs">
                  {t(`preview.miss.${miss}`)}
                </Alert>
              ) : (
                <>
                  <Group gap="xs">
                    <Badge variant="light">{t(`category.${watched.category ?? 'notice'}`)}</Badge>
                    <Text size="xs" c="dimmed">
                      {shown.lang ? t('preview.servedIn', { lang: shown.lang }) : t('preview.servedDefault')}
                    </Text>
                  </Group>
                  <Text fw={600}>{shown.title || '—'}</Text>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {shown.body || '—'}
                  </Text>
                </>
              )}
            </Stack>
          </Paper>

          <Textarea label={t('form.reason')} description={t('form.reasonHint')} autosize minRows={1} maxLength={MAX_REASON_LENGTH} {...form.register('reason')} />
          {error ? <ProblemAlert error={error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={form.formState.isSubmitting}>
              {notice ? t('common:save') : t('add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
