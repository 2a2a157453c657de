import { Button, Group, Select, TextInput, type SelectProps } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconSearch, IconX } from '@tabler/icons-react';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type SearchValues = Record<string, unknown>;

/** Removes empty values so the URL stays short (`?q=&role=` → nothing). */
function clean(search: SearchValues): SearchValues {
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/**
 * The current route's URL search and a setter. `setSearch(patch)` merges, drops empty values and — unless `keepPage`
 * — goes back to page 1, dropping a keyset `cursor` too (a new filter makes the old page meaningless). Replaces the history entry (typing in a
 * filter must not push one entry per keystroke).
 */
export function useUrlSearch<S extends SearchValues = SearchValues>(): [S, (patch: Partial<S>, opts?: { keepPage?: boolean }) => void] {
  const raw: unknown = useSearch({ strict: false });
  const search = raw as S;
  const navigate = useNavigate();
  const setSearch = (patch: Partial<S>, opts: { keepPage?: boolean } = {}) => {
    void navigate({
      to: '.',
      replace: true,
      search: ((prev: SearchValues) =>
        clean({ ...prev, ...patch, ...(opts.keepPage || 'page' in patch || 'cursor' in patch ? {} : { page: undefined, cursor: undefined }) })) as never,
    });
  };
  return [search, setSearch];
}

/** `?sort=field` / `?sort=-field` for DataTable: `<DataTable {...useUrlSort()} />`. */
export function useUrlSort(): { sort: string | undefined; onSortChange: (sort: string | undefined) => void } {
  const [search, setSearch] = useUrlSearch<{ sort?: string }>();
  return { sort: search.sort, onSortChange: (sort) => setSearch({ sort }) };
}

/** A row of filters with a "clear filters" button that unsets `names` (the filter keys of the row). */
export function FilterBar({ names, children }: { names: string[]; children: ReactNode }) {
  const { t } = useTranslation('common');
  const [search, setSearch] = useUrlSearch();
  const active = names.some((n) => search[n] !== undefined);
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" role="search">
      {children}
      {active ? (
        <Button variant="subtle" leftSection={<IconX size={14} />} onClick={() => setSearch(Object.fromEntries(names.map((n) => [n, undefined])))}>
          {t('filter.clear')}
        </Button>
      ) : null}
    </Group>
  );
}

/** Free-text filter bound to `?<name>=` (default `q`), debounced. */
export function SearchFilter({ name = 'q', label, placeholder, w = 260 }: { name?: string; label?: string; placeholder?: string; w?: number | string }) {
  const { t } = useTranslation('common');
  const [search, setSearch] = useUrlSearch();
  const urlValue = typeof search[name] === 'string' ? (search[name] as string) : '';
  const [text, setText] = useState(urlValue);
  useEffect(() => setText(urlValue), [urlValue]);
  const push = useDebouncedCallback((v: string) => setSearch({ [name]: v.trim() || undefined }), 300);
  return (
    <TextInput
      label={label}
      aria-label={label ?? t('filter.search')}
      placeholder={placeholder ?? t('filter.search')}
      leftSection={<IconSearch size={16} />}
      value={text}
      w={w}
      onChange={(e) => {
        setText(e.currentTarget.value);
        push(e.currentTarget.value);
      }}
    />
  );
}

/** A choice filter bound to `?<name>=`; clearing it removes the parameter. */
export function SelectFilter({ name, label, data, w = 180, ...rest }: { name: string; label: string; data: SelectProps['data']; w?: number | string } & Omit<SelectProps, 'value' | 'onChange' | 'data'>) {
  const { t } = useTranslation('common');
  const [search, setSearch] = useUrlSearch();
  const value = search[name] === undefined ? null : String(search[name]);
  return (
    <Select
      label={label}
      placeholder={t('filter.any')}
      data={data}
      value={value}
      clearable
      w={w}
      onChange={(v) => setSearch({ [name]: v ?? undefined })}
      {...rest}
    />
  );
}
