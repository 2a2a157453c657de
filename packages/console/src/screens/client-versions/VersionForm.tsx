import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, Select, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { useCreateClientVersion, useUpdateClientVersion } from '../../api/generated/client-versions/client-versions.ts';
import type { ClientVersion } from '../../api/generated/model/clientVersion.ts';
import { isApiError } from '../../api/errors.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { JsonField, parseJson } from '../../components/JsonField.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { STATUSES } from './search.ts';
import { CHANNEL_RE, VERSION_RE } from './version.ts';
import { notify } from '../../lib/notify.ts';

export type FormMode = { kind: 'create' } | { kind: 'edit'; version: ClientVersion } | { kind: 'copy'; version: ClientVersion };

const optionalVersion = z.string().trim().refine((v) => v === '' || VERSION_RE.test(v), 'version');
const schema = z.object({
  channel: z.string().trim().min(1, 'required').max(64, 'tooLong').regex(CHANNEL_RE, 'channel'),
  subChannel: z.string().trim().min(1, 'required').max(64, 'tooLong').regex(CHANNEL_RE, 'channel'),
  version: z.string().trim().min(1, 'required').max(64, 'tooLong').regex(VERSION_RE, 'version'),
  status: z.enum(STATUSES),
  gameServerAddress: z.string().trim().min(1, 'required').max(512, 'tooLong'),
  patchAddress: z.string().trim().min(1, 'required').max(512, 'tooLong'),
  gameServerAddressForWhitelist: z.string().trim().max(512, 'tooLong'),
  patchAddressForWhitelist: z.string().trim().max(512, 'tooLong'),
  minPatchVersion: optionalVersion,
  guestModeAllowed: z.boolean(),
  externalClickLink: z.string().trim().max(2048, 'tooLong').refine((v) => v === '' || /^https?:\/\//.test(v), 'link'),
  maintenanceMessage: z.string().max(1000, 'tooLong'),
  customPayload: z.string().refine((v) => parseJson(v).ok, 'json'),
  memo: z.string().max(2000, 'tooLong'),
});
type Values = z.infer<typeof schema>;

function initial(mode: FormMode): Values {
  const v = mode.kind === 'create' ? undefined : mode.version;
  return {
    channel: v?.channel ?? '',
    subChannel: v?.subChannel ?? '',
    // A copy is a new build of the same channel: the version is left for the operator to type.
    version: mode.kind === 'edit' ? v!.version : '',
    status: v?.status ?? 'UNDER_REVIEW',
    gameServerAddress: v?.gameServerAddress ?? '',
    patchAddress: v?.patchAddress ?? '',
    gameServerAddressForWhitelist: v?.gameServerAddressForWhitelist ?? '',
    patchAddressForWhitelist: v?.patchAddressForWhitelist ?? '',
    minPatchVersion: v?.minPatchVersion ?? '',
    guestModeAllowed: v?.guestModeAllowed ?? false,
    externalClickLink: v?.externalClickLink ?? '',
    maintenanceMessage: v?.maintenanceMessage ?? '',
    customPayload: v?.customPayload ? JSON.stringify(v.customPayload, null, 2) : '',
    memo: v?.memo ?? '',
  };
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** Create, edit or copy (a create prefilled from another version) a client version, in a modal. */
export function VersionForm({ mode, onClose }: { mode: FormMode; onClose: () => void }) {
  const { t } = useTranslation('clientVersions');
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: initial(mode) });
  const draft = useDraft(`clientVersions.${mode.kind === 'edit' ? mode.version.id : mode.kind === 'copy' ? `copy.${mode.version.id}` : 'new'}`, form);
  useUnsavedChangesGuard(form.formState.isDirty);
  const refresh = useInvalidatePaths();
  const create = useCreateClientVersion();
  const update = useUpdateClientVersion();
  const mutation = mode.kind === 'edit' ? update : create;
  const apiFields = isApiError(mutation.error) ? mutation.error.fieldErrors : {};
  const fieldError = (name: keyof Values) => {
    const msg = form.formState.errors[name]?.message;
    return msg ? t(`errors.${msg}`, { defaultValue: msg }) : apiFields[name];
  };

  const submit = form.handleSubmit((v) => {
    const parsed = parseJson(v.customPayload);
    const data = {
      channel: v.channel,
      subChannel: v.subChannel,
      version: v.version,
      status: v.status,
      gameServerAddress: v.gameServerAddress,
      patchAddress: v.patchAddress,
      gameServerAddressForWhitelist: orNull(v.gameServerAddressForWhitelist),
      patchAddressForWhitelist: orNull(v.patchAddressForWhitelist),
      minPatchVersion: orNull(v.minPatchVersion),
      guestModeAllowed: v.guestModeAllowed,
      externalClickLink: orNull(v.externalClickLink),
      maintenanceMessage: orNull(v.maintenanceMessage),
      customPayload: (parsed.ok ? parsed.value : null) as Record<string, unknown> | null,
      memo: orNull(v.memo),
    };
    const done = (saved: ClientVersion) => {
      draft.clear();
      form.reset(v);
      refresh('/api/v1/client-versions');
      notify({ color: 'green', message: t(mode.kind === 'edit' ? 'saved' : 'created', { version: `${saved.channel}/${saved.subChannel} ${saved.version}` }) });
      onClose();
    };
    if (mode.kind === 'edit') update.mutate({ id: mode.version.id, data }, { onSuccess: done });
    else create.mutate({ data }, { onSuccess: done });
  });

  const title =
    mode.kind === 'edit'
      ? t('editTitle', { version: `${mode.version.channel}/${mode.version.subChannel} ${mode.version.version}` })
      : mode.kind === 'copy'
        ? t('copyTitle', { version: `${mode.version.channel}/${mode.version.subChannel} ${mode.version.version}` })
        : t('addTitle');
  return (
    <Modal opened onClose={onClose} title={title} size="xl">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack gap="sm">
          {draft.restored ? (
            <Text size="xs" c="dimmed">
              {t('draftRestored')}
            </Text>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput label={t('col.channel')} placeholder="steam" withAsterisk {...form.register('channel')} error={fieldError('channel')} />
            <TextInput label={t('col.subChannel')} placeholder="pc" withAsterisk {...form.register('subChannel')} error={fieldError('subChannel')} />
            <TextInput label={t('col.version')} placeholder="1.2.3" withAsterisk {...form.register('version')} error={fieldError('version')} data-autofocus />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Controller
              control={form.control}
              name="status"
              render={({ field }) => (
                <Select label={t('col.status')} withAsterisk allowDeselect={false} data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} value={field.value} onChange={(v) => v && field.onChange(v)} />
              )}
            />
            <TextInput label={t('field.minPatchVersion')} placeholder="1.2.3.4" description={t('field.minPatchHint')} {...form.register('minPatchVersion')} error={fieldError('minPatchVersion')} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('field.gameServerAddress')} placeholder="game.example.com:7777" withAsterisk {...form.register('gameServerAddress')} error={fieldError('gameServerAddress')} />
            <TextInput label={t('field.gameServerAddressForWhitelist')} description={t('field.whitelistHint')} {...form.register('gameServerAddressForWhitelist')} error={fieldError('gameServerAddressForWhitelist')} />
            <TextInput label={t('field.patchAddress')} placeholder="https://patch.example.com/1.2.3/" withAsterisk {...form.register('patchAddress')} error={fieldError('patchAddress')} />
            <TextInput label={t('field.patchAddressForWhitelist')} description={t('field.whitelistHint')} {...form.register('patchAddressForWhitelist')} error={fieldError('patchAddressForWhitelist')} />
          </SimpleGrid>
          <TextInput label={t('field.externalClickLink')} placeholder="https://" {...form.register('externalClickLink')} error={fieldError('externalClickLink')} />
          <Textarea label={t('field.maintenanceMessage')} autosize minRows={1} maxRows={4} {...form.register('maintenanceMessage')} error={fieldError('maintenanceMessage')} />
          <Controller control={form.control} name="customPayload" render={({ field }) => <JsonField label={t('field.customPayload')} minRows={2} value={field.value} onChange={field.onChange} error={fieldError('customPayload')} />} />
          <Textarea label={t('field.memo')} autosize minRows={1} maxRows={4} {...form.register('memo')} error={fieldError('memo')} />
          <Controller control={form.control} name="guestModeAllowed" render={({ field }) => <Switch label={t('field.guestModeAllowed')} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />} />
          {mutation.error && Object.keys(apiFields).length === 0 ? <ProblemAlert error={mutation.error} /> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={mutation.isPending}>
              {mode.kind === 'edit' ? t('common:save') : t('create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
