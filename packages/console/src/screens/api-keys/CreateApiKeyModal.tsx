import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { useCreateApiKey } from '../../api/generated/api-keys/api-keys.ts';
import type { CreatedApiKey } from '../../api/generated/model/createdApiKey.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useDraft } from '../../auth/useDraft.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { isApiError } from '../../api/errors.ts';

const EXPIRIES = ['never', '7', '30', '90', '365'] as const;

const schema = z.object({
  name: z.string().trim().min(1, 'nameRequired').max(128, 'nameTooLong'),
  type: z.enum(['admin', 'server', 'client']),
  expiry: z.enum(EXPIRIES),
});
type Values = z.infer<typeof schema>;
const DEFAULTS: Values = { name: '', type: 'server', expiry: 'never' };

/** The expiry choice as the API's `expiresAt`: null for never, else that many days from now. */
function expiresAt(expiry: Values['expiry'], now = Date.now()): string | null {
  return expiry === 'never' ? null : new Date(now + Number(expiry) * 86_400_000).toISOString();
}

/** Name, type and expiry of a new key; on success hands the created key (with its plaintext) to `onCreated`. */
export function CreateApiKeyModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (key: CreatedApiKey) => void }) {
  const { t } = useTranslation('apiKeys');
  const queryClient = useQueryClient();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: DEFAULTS });
  const draft = useDraft('apiKeys.create', form);
  useUnsavedChangesGuard(opened && form.formState.isDirty);
  const create = useCreateApiKey();
  const serverField = isApiError(create.error) ? create.error.fieldErrors : {};

  const close = () => {
    create.reset();
    onClose();
  };
  const submit = form.handleSubmit((v) =>
    create.mutate(
      { data: { name: v.name, type: v.type, expiresAt: expiresAt(v.expiry) } },
      {
        onSuccess: (key) => {
          draft.clear();
          form.reset(DEFAULTS);
          void queryClient.invalidateQueries({ queryKey: ['/api/v1/api-keys'] });
          close();
          onCreated(key);
        },
      },
    ),
  );
  const err = form.formState.errors;
  return (
    <Modal opened={opened} onClose={close} title={t('create.title')} centered>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          {create.error && !Object.keys(serverField).length ? <ProblemAlert error={create.error} /> : null}
          <TextInput
            label={t('create.name')}
            description={t('create.nameHint')}
            required
            data-autofocus
            {...form.register('name')}
            error={err.name ? t(`create.${err.name.message ?? 'nameRequired'}`) : serverField.name}
          />
          <Controller
            control={form.control}
            name="type"
            render={({ field }) => (
              <Stack gap={4}>
                <Text size="sm" fw={500} id="api-key-type-label">
                  {t('create.type')}
                </Text>
                <SegmentedControl
                  aria-labelledby="api-key-type-label"
                  value={field.value}
                  onChange={field.onChange}
                  data={(['server', 'client', 'admin'] as const).map((v) => ({ value: v, label: t(`type.${v}`) }))}
                />
                <Text size="xs" c="dimmed">
                  {t(`typeHint.${field.value}`)}
                </Text>
              </Stack>
            )}
          />
          <Controller
            control={form.control}
            name="expiry"
            render={({ field }) => (
              <Select
                label={t('create.expiry')}
                data={EXPIRIES.map((v) => ({ value: v, label: t(`create.expiryOption.${v}`) }))}
                value={field.value}
                onChange={(v) => field.onChange(v ?? 'never')}
                allowDeselect={false}
                error={serverField.expiresAt}
              />
            )}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
