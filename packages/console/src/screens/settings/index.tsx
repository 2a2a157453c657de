import { zodResolver } from '@hookform/resolvers/zod';
import { Badge, Button, Group, Paper, PasswordInput, SegmentedControl, Select, Stack, Text, Title, useMantineColorScheme, type MantineColorScheme } from '@mantine/core';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { useChangePassword } from '../../api/generated/auth/auth.ts';
import { useSession } from '../../auth/session.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { LANGUAGES, setLanguage, type Language } from '../../i18n/index.ts';
import { localZoneName, setTimeZoneMode, useTimeZoneMode, type TimeZoneMode } from '../../lib/preferences.ts';
import { notify } from '../../lib/notify.ts';

/** /settings: language, how times show, theme, and changing one's password. */
export default function SettingsScreen() {
  const { t } = useTranslation('settings');
  const { user } = useSession();
  return (
    <Stack maw={640}>
      <Title order={2}>{t('title')}</Title>
      {user ? (
        <Paper withBorder p="md">
          <Text size="sm" c="dimmed">
            {t('profile.title')}
          </Text>
          <Group gap="xs">
            <Text fw={600}>{user.displayName ?? user.username}</Text>
            <Text c="dimmed">{user.email}</Text>
            <Badge variant="light">{user.role}</Badge>
          </Group>
        </Paper>
      ) : null}
      <Preferences />
      <ChangePassword />
    </Stack>
  );
}

function Preferences() {
  const { t, i18n } = useTranslation(['settings', 'common']);
  const zone = useTimeZoneMode();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={4}>{t('preferences')}</Title>
        <Select
          label={t('language')}
          data={LANGUAGES.map((l) => ({ value: l, label: t(`common:language.${l}`) }))}
          value={i18n.language}
          onChange={(v) => v && setLanguage(v as Language)}
          allowDeselect={false}
          w={240}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('timezone')}
          </Text>
          <SegmentedControl
            w="fit-content"
            value={zone}
            onChange={(v) => setTimeZoneMode(v as TimeZoneMode)}
            data={[
              { value: 'local', label: t('timezoneLocal', { zone: localZoneName() }) },
              { value: 'utc', label: t('timezoneUtc') },
            ]}
          />
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('theme')}
          </Text>
          <SegmentedControl
            w="fit-content"
            value={colorScheme}
            onChange={(v) => setColorScheme(v as MantineColorScheme)}
            data={[
              { value: 'light', label: t('common:theme.light') },
              { value: 'dark', label: t('common:theme.dark') },
              { value: 'auto', label: t('common:theme.system') },
            ]}
          />
        </Stack>
      </Stack>
    </Paper>
  );
}

const passwordSchema = z
  .object({ currentPassword: z.string().min(1), newPassword: z.string().min(1), confirm: z.string().min(1) })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'mismatch' });
type PasswordValues = z.infer<typeof passwordSchema>;

function ChangePassword() {
  const { t } = useTranslation('settings');
  const form = useForm<PasswordValues>({ resolver: zodResolver(passwordSchema), defaultValues: { currentPassword: '', newPassword: '', confirm: '' } });
  const change = useChangePassword();
  const { errors } = form.formState;
  const message = (field: keyof PasswordValues) => {
    const e = errors[field];
    if (!e) return undefined;
    if (e.type === 'server') return e.message;
    return e.message === 'mismatch' ? t('password.mismatch') : t('password.required');
  };
  const submit = form.handleSubmit(async (v) => {
    try {
      await change.mutateAsync({ data: { currentPassword: v.currentPassword, newPassword: v.newPassword } });
      form.reset();
      notify({ color: 'green', message: t('password.changed') });
    } catch (e) {
      // The server's password policy (and a wrong current password) name the field.
      const fields = (e as { fieldErrors?: Record<string, string> }).fieldErrors ?? {};
      let shown = false;
      for (const name of ['currentPassword', 'newPassword'] as const) {
        if (fields[name]) {
          form.setError(name, { type: 'server', message: fields[name] });
          shown = true;
        }
      }
      const field = (e as { field?: string; detail?: string }).field;
      if (!shown && (field === 'currentPassword' || field === 'newPassword')) form.setError(field, { type: 'server', message: (e as { detail: string }).detail });
    }
  });
  const fieldShown = Object.values(errors).some((e) => e?.type === 'server');
  return (
    <Paper withBorder p="md">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Title order={4}>{t('password.title')}</Title>
          {change.error && !fieldShown ? <ProblemAlert error={change.error} /> : null}
          <PasswordInput label={t('password.current')} autoComplete="current-password" {...form.register('currentPassword')} error={message('currentPassword')} />
          <PasswordInput label={t('password.new')} autoComplete="new-password" {...form.register('newPassword')} error={message('newPassword')} />
          <PasswordInput label={t('password.confirm')} autoComplete="new-password" {...form.register('confirm')} error={message('confirm')} />
          <Button type="submit" w="fit-content" loading={change.isPending}>
            {t('password.submit')}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
