import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useLayoutEffect, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { ApiError, apiFetchRaw, MAX_REASON_LENGTH } from '../../api/fetcher.ts';
import { problemFrom } from '../../api/errors.ts';
import { getGetUserQueryKey, updateUser } from '../../api/generated/users/users.ts';
import type { User } from '../../api/generated/model/user.ts';
import { useCan } from '../../auth/useCan.ts';
import { useDraft } from '../../auth/useDraft.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { applyFieldErrors } from './CreateUserModal.tsx';
import { diffFields, patchOf, READABLE_ALERT, ROLES, STATUSES, type FieldChange } from './model.ts';
import { profileFields } from './profileSchema.ts';
import { notify } from '../../lib/notify.ts';

const schema = z.object(profileFields);
type Values = z.infer<typeof schema>;
const FIELDS = ['username', 'email', 'displayName', 'role', 'status'] as const;

const valuesOf = (u: User): Values => ({ username: u.username, email: u.email, displayName: u.displayName ?? '', role: u.role, status: u.status });

/** Another admin changed the user after this form loaded it. */
class ChangedMeanwhile extends Error {}

/**
 * Saves a profile change only if the user is still as the form loaded it: reads it again (with its ETag), refuses
 * when `updatedAt` moved, and sends the change with If-Match, so a change landing in between is refused too (412).
 */
async function saveIfUnchanged(base: User, patch: Record<string, unknown>, reason: string): Promise<User> {
  const response = await apiFetchRaw(`/api/v1/users/${base.id}`, { method: 'GET', cache: 'no-store' });
  if (!response.ok) throw await problemFrom(response);
  const current = (await response.json()) as User;
  const etag = response.headers.get('etag');
  if (current.updatedAt !== base.updatedAt) throw new ChangedMeanwhile();
  try {
    return await updateUser(base.id, patch, { reason, headers: etag ? { 'If-Match': etag } : {} });
  } catch (e) {
    if (e instanceof ApiError && e.status === 412) throw new ChangedMeanwhile();
    throw e;
  }
}

/** The profile of a user: edit, see the change (old → new) and confirm; a concurrent edit is refused with a clear message. */
export function ProfileForm({ user }: { user: User }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const canWrite = useCan('users.write');
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: valuesOf(user) });
  const draft = useDraft(`users.edit.${user.id}`, form);
  const { isDirty, errors } = form.formState;
  useUnsavedChangesGuard(isDirty);
  // The user as this form started from: what the diff compares with and what a save must still find.
  const [base, setBase] = useState(user);
  const [changes, setChanges] = useState<FieldChange[] | null>(null);
  const [reason, setReason] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);

  // A live or refetched update of the user replaces the form only while nothing is being edited (a layout effect,
  // for the reason given in MaintenanceForm.tsx: typing must never be reset away).
  useLayoutEffect(() => {
    if (user.updatedAt === base.updatedAt) return;
    if (!form.formState.isDirty) {
      setBase(user);
      form.reset(valuesOf(user));
    }
  }, [user, base.updatedAt, form]);

  const review = form.handleSubmit((v) => {
    setError(null);
    setChanges(diffFields<Values>(valuesOf(base), v, FIELDS));
  });

  const save = async () => {
    if (!changes) return;
    setSaving(true);
    setError(null);
    try {
      const saved = await saveIfUnchanged(base, patchOf(changes), reason);
      queryClient.setQueryData(getGetUserQueryKey(saved.id), saved);
      await queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
      draft.clear();
      setBase(saved);
      form.reset(valuesOf(saved));
      setChanges(null);
      setReason('');
      notify({ color: 'green', message: t('profile.saved') });
    } catch (e) {
      setChanges(null);
      if (e instanceof ChangedMeanwhile) setConflict(true);
      else if (!applyFieldErrors<Values>(e, FIELDS, form.setError)) setError(e);
    } finally {
      setSaving(false);
    }
  };

  // Take the other admin's version as the new base; the edits typed here stay in the form.
  const reloadBase = async () => {
    const fresh = await queryClient.fetchQuery({ queryKey: getGetUserQueryKey(user.id), staleTime: 0 });
    setBase(fresh as User);
    setConflict(false);
  };

  const show = (field: string, v: unknown) => (v === null || v === undefined ? '—' : field === 'role' ? t(`role.${String(v)}`) : field === 'status' ? t(`status.${String(v)}`) : String(v));
  const msg = (m?: string) => (m ? t(`form.error.${m}`, { defaultValue: m }) : undefined);

  return (
    <form onSubmit={(e) => void review(e)} noValidate>
      <Stack maw={720}>
        {conflict ? (
          <Alert color="orange" title={t('profile.conflictTitle')} role="alert" data-testid="conflict" styles={READABLE_ALERT}>
            <Text size="sm">{t('profile.conflictBody')}</Text>
            <Button mt="xs" size="xs" variant="default" onClick={() => void reloadBase()}>
              {t('profile.conflictReload')}
            </Button>
          </Alert>
        ) : null}
        {draft.restored && isDirty ? (
          <Alert color="blue" variant="light">
            {t('profile.draftRestored')}
          </Alert>
        ) : null}
        <ProblemAlert error={error} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('col.username')} required readOnly={!canWrite} {...form.register('username')} error={msg(errors.username?.message)} />
          <TextInput label={t('col.email')} required type="email" readOnly={!canWrite} {...form.register('email')} error={msg(errors.email?.message)} />
          <TextInput label={t('field.displayName')} readOnly={!canWrite} {...form.register('displayName')} error={msg(errors.displayName?.message)} />
          <div />
          <Controller
            control={form.control}
            name="role"
            render={({ field }) => (
              <Select label={t('col.role')} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={field.value} onChange={(v) => v && field.onChange(v)} allowDeselect={false} readOnly={!canWrite} />
            )}
          />
          <Controller
            control={form.control}
            name="status"
            render={({ field }) => (
              <Select
                label={t('col.status')}
                data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
                value={field.value}
                onChange={(v) => v && field.onChange(v)}
                allowDeselect={false}
                readOnly={!canWrite}
              />
            )}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt={-6}>
          {t('profile.statusHint')}
        </Text>
        <Group gap="xl" wrap="wrap">
          {([
            ['col.createdAt', user.createdAt],
            ['field.updatedAt', user.updatedAt],
            ['col.lastLoginAt', user.lastLoginAt],
          ] as const).map(([label, value]) => (
            <Stack key={label} gap={0}>
              <Text size="xs" c="dimmed">
                {t(label)}
              </Text>
              <Text size="sm">
                <Timestamp value={value} />
              </Text>
            </Stack>
          ))}
        </Group>
        <Group>
          <Guarded permission="users.write">
            <Button type="submit" disabled={!isDirty}>
              {t('profile.review')}
            </Button>
          </Guarded>
          {isDirty ? (
            <Button variant="subtle" onClick={() => { form.reset(valuesOf(base)); draft.clear(); }}>
              {t('profile.discard')}
            </Button>
          ) : null}
        </Group>
      </Stack>

      <Modal opened={changes !== null} onClose={() => setChanges(null)} title={<Text fw={600}>{t('profile.diffTitle', { username: base.username })}</Text>} size="lg" centered>
        <Stack>
          {changes && changes.length === 0 ? (
            <Text size="sm">{t('profile.noChanges')}</Text>
          ) : (
            <Table withTableBorder data-testid="diff">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('profile.field')}</Table.Th>
                  <Table.Th>{t('profile.old')}</Table.Th>
                  <Table.Th w={24} />
                  <Table.Th>{t('profile.new')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {changes?.map((c) => (
                  <Table.Tr key={c.field}>
                    <Table.Td fw={500}>{t(`field.${c.field}`)}</Table.Td>
                    <Table.Td td="line-through" style={{ wordBreak: 'break-all', color: 'var(--mantine-color-red-text)' }}>{show(c.field, c.from)}</Table.Td>
                    <Table.Td>
                      <IconArrowRight size={14} aria-hidden />
                    </Table.Td>
                    <Table.Td fw={500} style={{ wordBreak: 'break-all', color: 'var(--mantine-color-green-text)' }}>{show(c.field, c.to)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Textarea label={t('common:destructive.reason')} description={t('common:destructive.reasonHint')} value={reason} maxLength={MAX_REASON_LENGTH} autosize minRows={2} onChange={(e) => setReason(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setChanges(null)} disabled={saving}>
              {t('common:cancel')}
            </Button>
            <Button onClick={() => void save()} loading={saving} disabled={!changes || changes.length === 0}>
              {t('profile.save')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </form>
  );
}
