import { Alert, Autocomplete, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientVersionStatus } from '../../api/generated/model/clientVersionStatus.ts';
import { useTestWhitelist } from '../../api/generated/whitelist/whitelist.ts';
import { isApiError } from '../../api/errors.ts';
import { useCan } from '../../auth/useCan.ts';
import { useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useAllClientVersions } from './all.ts';
import type { Search } from './search.ts';
import { STATUS_COLOR } from './status.ts';

interface Answer {
  status?: ClientVersionStatus;
  error?: string;
  [field: string]: unknown;
}

/** The answer's fields shown as rows, in the client API's order. */
const FIELDS = ['status', 'message', 'gameServerAddress', 'patchAddress', 'minPatchVersion', 'guestModeAllowed', 'externalClickLink', 'maintenanceStartsAt', 'maintenanceEndsAt'] as const;

/**
 * "What does version X on channel Y get": the game-client API's own resolution (through POST /whitelist/test,
 * which runs the client routes' code) for a build, patch version, account, IP and language.
 */
export function Preview({ search }: { search: Search }) {
  const { t } = useTranslation('clientVersions');
  const [, setSearch] = useUrlSearch<Search>();
  const canWrite = useCan('ops.write');
  const versions = useAllClientVersions();
  const [values, setValues] = useState({ channel: search.pvChannel ?? '', subChannel: search.pvSubChannel ?? '', version: search.pvVersion ?? '', patchVersion: '', accountId: '', ip: '', lang: '' });
  const set = (name: keyof typeof values) => (v: string) => setValues((cur) => ({ ...cur, [name]: v }));
  const test = useTestWhitelist();
  const options = useMemo(() => {
    const all = versions.data ?? [];
    const uniq = (xs: string[]) => [...new Set(xs)].sort();
    return {
      channels: uniq(all.map((v) => v.channel)),
      subChannels: uniq(all.filter((v) => !values.channel || v.channel === values.channel).map((v) => v.subChannel)),
      versions: uniq(all.filter((v) => (!values.channel || v.channel === values.channel) && (!values.subChannel || v.subChannel === values.subChannel)).map((v) => v.version)),
    };
  }, [versions.data, values.channel, values.subChannel]);

  const run = (v = values) => {
    const opt = (s: string) => s.trim() || undefined;
    setSearch({ pvChannel: opt(v.channel), pvSubChannel: opt(v.subChannel), pvVersion: opt(v.version) }, { keepPage: true });
    test.mutate({
      data: {
        accountId: opt(v.accountId),
        ip: opt(v.ip),
        lang: opt(v.lang),
        clientVersion: { channel: v.channel.trim(), subChannel: v.subChannel.trim(), version: v.version.trim(), patchVersion: opt(v.patchVersion) },
      },
    });
  };
  // A shared link names the build: answer it at once.
  const ranFromUrl = useRef(false);
  useEffect(() => {
    if (ranFromUrl.current || !canWrite || !search.pvChannel || !search.pvSubChannel || !search.pvVersion) return;
    ranFromUrl.current = true;
    run();
    // Once, with the values the URL gave.
  }, [canWrite]);

  const answer = test.data?.decisions.clientVersion as Answer | null | undefined;
  const fieldErrors = isApiError(test.error) ? test.error.fieldErrors : {};
  const ready = values.channel.trim() && values.subChannel.trim() && values.version.trim();

  return (
    <Stack gap="md">
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run();
          }}
        >
          <Stack gap="sm">
            <Text size="sm" c="dimmed">
              {t('preview.intro')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }}>
              <Autocomplete label={t('col.channel')} withAsterisk data={options.channels} value={values.channel} onChange={set('channel')} />
              <Autocomplete label={t('col.subChannel')} withAsterisk data={options.subChannels} value={values.subChannel} onChange={set('subChannel')} />
              <Autocomplete label={t('col.version')} withAsterisk data={options.versions} value={values.version} onChange={set('version')} />
              <TextInput label={t('preview.patchVersion')} placeholder="1.2.3.4" value={values.patchVersion} onChange={(e) => set('patchVersion')(e.currentTarget.value)} error={fieldErrors.patchVersion} />
              <TextInput label={t('preview.accountId')} placeholder="player-42" value={values.accountId} onChange={(e) => set('accountId')(e.currentTarget.value)} />
              <TextInput label={t('preview.ip')} placeholder={t('preview.ipPlaceholder')} value={values.ip} onChange={(e) => set('ip')(e.currentTarget.value)} error={fieldErrors.ip} />
              <TextInput label={t('preview.lang')} placeholder="ko" value={values.lang} onChange={(e) => set('lang')(e.currentTarget.value)} error={fieldErrors.lang} />
              <Group align="flex-end">
                <Guarded permission="ops.write" reasonKey="clientVersions:preview.needsWrite">
                  <Button type="submit" disabled={!ready} loading={test.isPending}>
                    {t('preview.run')}
                  </Button>
                </Guarded>
              </Group>
            </SimpleGrid>
          </Stack>
        </form>
      </Paper>
      {test.error && Object.keys(fieldErrors).length === 0 ? <ProblemAlert error={test.error} /> : null}
      {answer ? (
        <Paper withBorder p="md" data-testid="preview-answer">
          {answer.error ? (
            <Alert color="red" title={t('preview.unknown')}>
              {answer.error}
            </Alert>
          ) : (
            <Stack gap="sm">
              <Group justify="space-between">
                <Title order={4}>{t('preview.answerTitle', { version: `${test.variables?.data.clientVersion?.channel}/${test.variables?.data.clientVersion?.subChannel} ${test.variables?.data.clientVersion?.version}` })}</Title>
                <Group gap="xs">
                  <Badge variant="outline" color={test.data?.allowed ? 'green' : 'gray'}>
                    {test.data?.allowed ? t('preview.whitelisted') : t('preview.notWhitelisted')}
                  </Badge>
                  {answer.status ? (
                    <Badge size="lg" color={STATUS_COLOR[answer.status]} data-testid="preview-status">
                      {t(`status.${answer.status}`)}
                    </Badge>
                  ) : null}
                </Group>
              </Group>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Table verticalSpacing={4}>
                  <Table.Tbody>
                    {FIELDS.map((f) => (
                      <Table.Tr key={f}>
                        <Table.Th w={200} fw={500}>
                          {f}
                        </Table.Th>
                        <Table.Td>
                          <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }}>
                            {answer[f] === null || answer[f] === undefined ? '—' : String(answer[f])}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Stack gap={4}>
                  <Text size="xs" c="dimmed">
                    {t('preview.exact')}
                  </Text>
                  <Code block fz="xs" data-testid="preview-json">
                    {JSON.stringify(answer, null, 2)}
                  </Code>
                </Stack>
              </SimpleGrid>
            </Stack>
          )}
        </Paper>
      ) : null}
    </Stack>
  );
}
