import { Button, Group, SegmentedControl, Stack } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientVersion } from '../../api/generated/model/clientVersion.ts';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { VersionGrid } from './Grid.tsx';
import { VersionList } from './List.tsx';
import { Preview } from './Preview.tsx';
import type { Search, View } from './search.ts';
import { VersionForm, type FormMode } from './VersionForm.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';

const route = getRouteApi('/_app/client-versions');

/** /client-versions: the channel × sub-channel grid, the filtered list with bulk status changes, and the preview. */
export default function ClientVersionsScreen() {
  const { t } = useTranslation('clientVersions');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const view: View = search.view ?? 'grid';
  const [form, setForm] = useState<FormMode | null>(null);
  const open: Openers = useMemo(
    () => ({
      edit: (v) => setForm({ kind: 'edit', version: v }),
      copy: (v) => setForm({ kind: 'copy', version: v }),
      preview: (v) => setSearch({ view: 'preview', pvChannel: v.channel, pvSubChannel: v.subChannel, pvVersion: v.version }, { keepPage: true }),
    }),
    // setSearch is a new function each render but always does the same.
    [],
  );

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Group gap="sm">
          <SegmentedControl
            aria-label={t('view.label')}
            value={view}
            onChange={(v) => setSearch({ view: v === 'grid' ? undefined : (v as View) }, { keepPage: true })}
            data={[
              { value: 'grid', label: t('view.grid') },
              { value: 'list', label: t('view.list') },
              { value: 'preview', label: t('view.preview') },
            ]}
          />
          <Guarded permission="ops.write">
            <Button leftSection={<IconPlus size={16} />} onClick={() => setForm({ kind: 'create' })}>
              {t('add')}
            </Button>
          </Guarded>
        </Group>
      </PageHeader>
      {view === 'grid' ? <VersionGrid open={open} /> : view === 'list' ? <VersionList search={search} open={open} /> : <Preview search={search} />}
      {form ? <VersionForm mode={form} onClose={() => setForm(null)} /> : null}
    </Stack>
  );
}

export interface Openers {
  edit: (v: ClientVersion) => void;
  copy: (v: ClientVersion) => void;
  preview: (v: ClientVersion) => void;
}
