import { JsonInput, type JsonInputProps } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** Parses `text` as JSON: `{ ok: true, value }` or `{ ok: false, message }` (an empty text is `null`). */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/**
 * A JSON textarea that says what is wrong while typing and formats on blur. Controlled by text; parse on submit with
 * `parseJson`. With react-hook-form: `<Controller render={({ field }) => <JsonField {...field} />} />`.
 */
export function JsonField({ value, onChange, error, ...rest }: Omit<JsonInputProps, 'onChange' | 'value'> & { value: string; onChange: (text: string) => void }) {
  const { t } = useTranslation('common');
  const parsed = parseJson(value);
  return (
    <JsonInput
      autosize
      minRows={4}
      maxRows={20}
      formatOnBlur
      value={value}
      onChange={onChange}
      error={error ?? (parsed.ok ? undefined : t('json.invalid', { message: parsed.message }))}
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
      {...rest}
    />
  );
}
