import { Button, Stack, Tabs } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { downloadCsv } from '../../lib/downloadCsv.ts';
import { Entries } from './Entries.tsx';
import { PasteImport } from './PasteImport.tsx';
import type { Search, Tab } from './search.ts';
import { TestAccess } from './TestAccess.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/whitelist');

/** /whitelist: accounts and IP/CIDR entries that pass through maintenance; paste many at once; test a caller. */
export default function WhitelistScreen() {
  const { t } = useTranslation('whitelist');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const tab: Tab = search.tab ?? 'entries';
  const [exporting, setExporting] = useState(false);

  const exportCsv = async () => {
    setExporting(true);
    try {
      await downloadCsv('/api/v1/whitelist/export.csv', 'whitelist.csv');
    } catch (err) {
      notify({ color: 'red', title: t('common:download.failed'), message: err instanceof Error ? err.message : String(err) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Button variant="default" leftSection={<IconDownload size={16} />} loading={exporting} onClick={() => void exportCsv()}>
          {t('export')}
        </Button>
      </PageHeader>
      <Tabs value={tab} onChange={(v) => setSearch({ tab: v === 'entries' ? undefined : (v as Tab) }, { keepPage: true })}>
        <Tabs.List>
          <Tabs.Tab value="entries">{t('tabs.entries')}</Tabs.Tab>
          <Tabs.Tab value="paste">{t('tabs.paste')}</Tabs.Tab>
          <Tabs.Tab value="test">{t('tabs.test')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="entries" pt="md">
          <Entries search={search} />
        </Tabs.Panel>
        <Tabs.Panel value="paste" pt="md">
          <PasteImport />
        </Tabs.Panel>
        <Tabs.Panel value="test" pt="md">
          <TestAccess />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
