/** Create or edit a game world: worldId, name, description, region, tags, visibility, customPayload (JSON). */
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Stack, Switch, TagsInput, Textarea, TextInput } from '@mantine/core';
import { useEffect, useLayoutEffect, useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../../api/errors.ts';
import type { CreateGameWorldBody, GameWorld } from '../../api/generated/model/index.ts';
import { useCan } from '../../auth/useCan.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { JsonField, parseJson } from '../../components/JsonField.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';

const schema = z.object({
  worldId: z.string().trim().min(1, 'errors.required').max(64, 'errors.tooLong').regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'errors.worldId'),
  name: z.string().trim().min(1, 'errors.required').max(128, 'errors.tooLong'),
  description: z.string().max(2000, 'errors.tooLong'),
  region: z.string().trim().max(64, 'errors.tooLong'),
  tags: z.array(z.string().trim().min(1).max(32, 'errors.tagTooLong')).max(20, 'errors.tooManyTags'),
  visible: z.boolean(),
  customPayload: z.string().refine((text) => {
    const parsed = parseJson(text);
    return parsed.ok && (parsed.value === null || (typeof parsed.value === 'object' && !Array.isArray(parsed.value)));
  }, 'errors.payloadObject'),
});
type Values = z.infer<typeof schema>;

function valuesOf(world: GameWorld | undefined): Values {
  return {
    worldId: world?.worldId ?? '',
    name: world?.name ?? '',
    description: world?.description ?? '',
    region: world?.region ?? '',
    tags: world?.tags ?? [],
    visible: world?.visible ?? true,
    customPayload: world?.customPayload ? JSON.stringify(world.customPayload, null, 2) : '',
  };
}

const FIELDS = ['worldId', 'name', 'description', 'region', 'tags', 'visible', 'customPayload'] as const;

export function WorldForm({ world, etag, draftKey, submitLabel, onSubmit, onCancel, onDone }: {
  world?: GameWorld;
  /** The ETag of `world` as loaded: the form sends the one its values started from (`If-Match`). */
  etag?: string;
  draftKey: string;
  submitLabel: string;
  onSubmit: (body: CreateGameWorldBody, ifMatch: string | undefined) => Promise<unknown>;
  onCancel?: () => void;
  /** Called after a successful submit, once the form is clean (close a drawer, navigate). */
  onDone?: () => void;
}) {
  const { t } = useTranslation('worlds');
  const readOnly = !useCan('ops.write');
  const defaults = useMemo(() => valuesOf(world), [world]);
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: defaults });
  // The server's state changed (a save, a live event): follow it unless there are unsaved edits, whose save then
  // carries the ETag they started from and is refused (412) if the world changed meanwhile.
  const [baseEtag, setBaseEtag] = useState(etag);
  // A layout effect, for the reason given in MaintenanceForm.tsx: typing must never be reset away.
  useLayoutEffect(() => {
    if (form.formState.isDirty) return;
    form.reset(defaults);
    setBaseEtag(etag);
  }, [defaults, etag, form]);
  const draft = useDraft(draftKey, form);
  useUnsavedChangesGuard(form.formState.isDirty && !readOnly);
  const [error, setError] = useState<unknown>();
  // Leaves (onDone) only once the reset form rendered: the unsaved-changes guard then lets the navigation through.
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!saved) return;
    setSaved(false);
    onDone?.();
  }, [saved, onDone]);
  const errors = form.formState.errors;
  const msg = (m: string | undefined) => (m ? t(m, { defaultValue: m }) : undefined);

  const submit = form.handleSubmit(async (v) => {
    setError(undefined);
    const payload = parseJson(v.customPayload);
    const body: CreateGameWorldBody = {
      worldId: v.worldId,
      name: v.name,
      description: v.description.trim() || null,
      region: v.region || null,
      tags: v.tags,
      visible: v.visible,
      customPayload: (payload.ok ? payload.value : null) as CreateGameWorldBody['customPayload'],
    };
    try {
      await onSubmit(body, baseEtag);
      draft.clear();
      form.reset(v);
      setSaved(true);
    } catch (e) {
      setError(e);
      // Changed meanwhile: show the current values (the alert says why).
      if (isApiError(e) && e.status === 412) {
        form.reset(defaults);
        setBaseEtag(etag);
      }
      if (isApiError(e)) {
        for (const [field, message] of Object.entries(e.fieldErrors)) {
          const name = FIELDS.find((f) => field === f || field.startsWith(`${f}.`));
          if (name) form.setError(name, { message });
        }
      }
    }
  });

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <Stack gap="sm">
          <Group grow align="flex-start">
            <TextInput label={t('fields.worldId')} description={t('fields.worldIdHint')} withAsterisk {...form.register('worldId')} error={msg(errors.worldId?.message)} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} />
            <TextInput label={t('fields.name')} withAsterisk {...form.register('name')} error={msg(errors.name?.message)} />
          </Group>
          <Group grow align="flex-start">
            <TextInput label={t('fields.region')} placeholder="ap-northeast-2" {...form.register('region')} error={msg(errors.region?.message)} />
            <Controller
              control={form.control}
              name="tags"
              render={({ field }) => (
                <TagsInput label={t('fields.tags')} description={t('fields.tagsHint')} value={field.value} onChange={field.onChange} maxTags={20} clearable error={msg(errors.tags?.message ?? errors.tags?.find?.((e) => e)?.message)} />
              )}
            />
          </Group>
          <Textarea label={t('fields.description')} autosize minRows={2} {...form.register('description')} error={msg(errors.description?.message)} />
          <Controller
            control={form.control}
            name="visible"
            render={({ field }) => <Switch label={t('fields.visible')} description={t('fields.visibleHint')} checked={field.value} onChange={(e) => field.onChange(e.currentTarget.checked)} />}
          />
          <Controller
            control={form.control}
            name="customPayload"
            render={({ field }) => (
              <JsonField label={t('fields.customPayload')} description={t('fields.customPayloadHint')} placeholder='{ "capacity": 5000 }' value={field.value} onChange={field.onChange} onBlur={field.onBlur} error={msg(errors.customPayload?.message)} />
            )}
          />
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
