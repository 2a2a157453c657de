import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Group, Modal, PasswordInput, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm, type FieldPath } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../../api/errors.ts';
import { createUser } from '../../api/generated/users/users.ts';
import type { User } from '../../api/generated/model/user.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { ROLES, STATUSES } from './model.ts';
import { profileFields } from './profileSchema.ts';

const schema = z.object({ ...profileFields, password: z.union([z.literal(''), z.string().min(10, 'passwordLength').max(256, 'passwordLength')]) });
type Values = z.infer<typeof schema>;
const EMPTY: Values = { username: '', email: '', displayName: '', role: 'player', status: 'active', password: '' };

/** Field errors of a failed call onto the form (the server names them `body.username`, `username`…). */
export function applyFieldErrors<T extends Record<string, unknown>>(error: unknown, fields: readonly string[], setError: (name: FieldPath<T>, e: { message: string }) => void): boolean {
  if (!isApiError(error)) return false;
  let any = false;
  for (const [name, message] of Object.entries(error.fieldErrors)) {
    if (fields.includes(name)) {
      setError(name as FieldPath<T>, { message });
      any = true;
    }
  }
  return any;
}

/** Create a user (admins): username, email, optional display name, role, status and an initial password. */
export function CreateUserModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (u: User) => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: EMPTY });
  const draft = useDraft('users.create', form);
  useUnsavedChangesGuard(opened && form.formState.isDirty);
  const [error, setError] = useState<unknown>(null);
  const { errors, isSubmitting } = form.formState;

  const close = () => {
    setError(null);
    onClose();
  };
  const submit = form.handleSubmit(async (v) => {
    setError(null);
    try {
      const user = await createUser({ username: v.username, email: v.email, displayName: v.displayName || null, role: v.role, status: v.status, ...(v.password ? { password: v.password } : {}) });
      draft.clear();
      form.reset(EMPTY);
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
      onCreated(user);
    } catch (e) {
      if (!applyFieldErrors<Values>(e, Object.keys(EMPTY), form.setError)) setError(e);
    }
  });

  const msg = (m?: string) => (m ? t(`form.error.${m}`, { defaultValue: m }) : undefined);
  return (
    <Modal opened={opened} onClose={close} title={t('create.title')} size="lg" centered>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <ProblemAlert error={error} />
          <SimpleGrid cols={2}>
            <TextInput label={t('col.username')} required autoComplete="off" {...form.register('username')} error={msg(errors.username?.message)} data-autofocus />
            <TextInput label={t('col.email')} required type="email" autoComplete="off" {...form.register('email')} error={msg(errors.email?.message)} />
          </SimpleGrid>
          <TextInput label={t('field.displayName')} {...form.register('displayName')} error={msg(errors.displayName?.message)} />
          <SimpleGrid cols={2}>
            <Controller
              control={form.control}
              name="role"
              render={({ field }) => <Select label={t('col.role')} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={field.value} onChange={(v) => field.onChange(v ?? 'player')} allowDeselect={false} />}
            />
            <Controller
              control={form.control}
              name="status"
              render={({ field }) => (
                <Select label={t('col.status')} data={STATUSES.filter((s) => s !== 'suspended').map((s) => ({ value: s, label: t(`status.${s}`) }))} value={field.value} onChange={(v) => field.onChange(v ?? 'active')} allowDeselect={false} />
              )}
            />
          </SimpleGrid>
          <PasswordInput label={t('field.password')} description={t('create.passwordHint')} autoComplete="new-password" {...form.register('password')} error={msg(errors.password?.message)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common:cancel')}
            </Button>
            <Button type="submit" loading={isSubmitting}>
              {t('create.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
