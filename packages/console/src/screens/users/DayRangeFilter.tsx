import { DatePickerInput } from '@mantine/dates';
import { useTranslation } from 'react-i18next';
import { useUrlSearch } from '../../components/FilterBar.tsx';

/** A range of calendar days bound to two URL keys (`?createdFrom=2026-03-01&createdTo=2026-03-31`, both inclusive). */
export function DayRangeFilter({ from, to, label }: { from: string; to: string; label: string }) {
  const { t, i18n } = useTranslation('users');
  const [search, setSearch] = useUrlSearch<Record<string, string | undefined>>();
  const value: [string | null, string | null] = [search[from] ?? null, search[to] ?? null];
  return (
    <DatePickerInput
      type="range"
      label={label}
      placeholder={t('filter.anyDay')}
      value={value}
      onChange={([a, b]) => {
        // The first click picks the start; the range is applied once both ends are chosen (or cleared).
        if (a && !b) return;
        setSearch({ [from]: a ?? undefined, [to]: b ?? undefined });
      }}
      clearable
      clearButtonProps={{ 'aria-label': t('filter.clearDays', { label }) }}
      allowSingleDateInRange
      valueFormat="YYYY-MM-DD"
      locale={i18n.language}
      w={200}
      maxDate={new Date()}
      // The default placeholder grey is below AA contrast; the theme's dimmed text is not.
      styles={{ placeholder: { color: 'var(--mantine-color-dimmed)' } }}
    />
  );
}
