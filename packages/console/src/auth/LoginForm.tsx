import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { isApiError } from '../api/errors.ts';
import { login, type SessionUser } from './session.ts';

const schema = z.object({ username: z.string().trim().min(1), password: z.string().min(1) });
type Values = z.infer<typeof schema>;

/** Username + password, submit on Enter. Used by the sign-in page and by the re-login modal. */
export function LoginForm({ defaultUsername, onSignedIn }: { defaultUsername?: string; onSignedIn: (user: SessionUser) => void }) {
  const { t } = useTranslation('auth');
  const [failure, setFailure] = useState<string>();
  const form = useForm<Values>({ resolver: zodResolver(schema), defaultValues: { username: defaultUsername ?? '', password: '' } });
  const submit = form.handleSubmit(async (v) => {
    setFailure(undefined);
    try {
      onSignedIn(await login(v.username, v.password));
    } catch (e) {
      if (isApiError(e) && e.code === 'console_forbidden') setFailure(t('consoleForbidden'));
      else if (isApiError(e) && e.status === 401) setFailure(t('invalidCredentials'));
      else if (isApiError(e) && e.status === 429) setFailure(t('locked'));
      else setFailure(isApiError(e) ? e.detail : String(e));
      form.setValue('password', '');
    }
  });
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack>
        {failure ? (
          <Alert color="red" role="alert" data-testid="login-error">
            {failure}
          </Alert>
        ) : null}
        <TextInput
          label={t('username')}
          autoComplete="username"
          autoFocus={!defaultUsername}
          {...form.register('username')}
          error={form.formState.errors.username ? t('required') : undefined}
        />
        <PasswordInput
          label={t('password')}
          autoComplete="current-password"
          autoFocus={Boolean(defaultUsername)}
          {...form.register('password')}
          error={form.formState.errors.password ? t('required') : undefined}
        />
        <Button type="submit" loading={form.formState.isSubmitting}>
          {t('submit')}
        </Button>
      </Stack>
    </form>
  );
}
