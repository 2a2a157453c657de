import { Badge, Button, Checkbox, Code, Group, Pagination, Select, Stack, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconKey, IconPlus } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import type { ColumnDef } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { revokeApiKey, useListApiKeys } from '../../api/generated/api-keys/api-keys.ts';
import { useGetUser } from '../../api/generated/users/users.ts';
import type { ApiKey } from '../../api/generated/model/apiKey.ts';
import { useCan } from '../../auth/useCan.ts';
import { DataTable, fitHeight } from '../../components/DataTable.tsx';
import { FilterBar, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { openSecretOnce } from '../../components/SecretOnce.tsx';
import { CreateApiKeyModal } from './CreateApiKeyModal.tsx';
import { UNUSED_DAYS, type Search } from './search.ts';
import { PageHeader } from '../../components/PageHeader.tsx';

const route = getRouteApi('/_app/api-keys');
const PAGE_SIZE = 50;
const TYPE_COLOR = { admin: 'red', server: 'blue', client: 'gray' } as const;

/** Who created a key: the user's name when the viewer may read users, else their id; "an API key" for none. */
function Creator({ id }: { id: number | null }) {
  const { t } = useTranslation('apiKeys');
  const canRead = useCan('users.read');
  const user = useGetUser(id ?? 0, { query: { enabled: canRead && id !== null, staleTime: 300_000 } });
  if (id === null) return <Text size="sm" c="dimmed">{t('creatorKey')}</Text>;
  return <Text size="sm">{user.data?.username ?? `#${id}`}</Text>;
}

export default function ApiKeysScreen() {
  const { t } = useTranslation('apiKeys');
  const s = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const params = { page: s.page, limit: s.limit ?? PAGE_SIZE, type: s.type, unusedForDays: s.unused, includeRevoked: s.revoked };
  const list = useListApiKeys(params);

  const columns = useMemo<ColumnDef<ApiKey>[]>(() => {
    const revoke = (k: ApiKey) =>
      confirmDestructive({
        target: t('revoke.target', { name: k.name }),
        typeToConfirm: k.name,
        confirmLabel: t('revoke.confirm'),
        onConfirm: async (reason) => {
          await revokeApiKey(k.id, { reason });
          await queryClient.invalidateQueries({ queryKey: ['/api/v1/api-keys'] });
        },
      });
    return [
      {
        id: 'name',
        header: t('col.name'),
        cell: ({ row: { original: k } }) => (
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={500} miw={120}>
              {k.name}
            </Text>
            {k.revokedAt ? (
              <Badge color="gray" variant="outline" size="sm">
                {t('revoked')}
              </Badge>
            ) : null}
          </Group>
        ),
      },
      {
        id: 'type',
        header: t('col.type'),
        cell: ({ row: { original: k } }) => (
          <Badge color={TYPE_COLOR[k.type]} variant="light" size="sm" styles={{ root: { overflow: 'visible' }, label: { overflow: 'visible' } }}>
            {t(`type.${k.type}`)}
          </Badge>
        ),
      },
      { id: 'prefix', header: t('col.prefix'), cell: ({ row: { original: k } }) => <Code style={{ whiteSpace: 'nowrap' }}>{k.prefix}…</Code> },
      { id: 'creator', header: t('col.creator'), cell: ({ row: { original: k } }) => <Creator id={k.createdBy} /> },
      { id: 'created', header: t('col.created'), cell: ({ row: { original: k } }) => <Timestamp value={k.createdAt} withSeconds={false} /> },
      {
        id: 'lastUsed',
        header: t('col.lastUsed'),
        cell: ({ row: { original: k } }) =>
          k.lastUsedAt ? (
            <Timestamp value={k.lastUsedAt} withSeconds={false} />
          ) : (
            <Text size="sm" c="dimmed">
              {t('never')}
            </Text>
          ),
      },
      {
        id: 'expires',
        header: t('col.expires'),
        cell: ({ row: { original: k } }) =>
          k.expiresAt ? (
            <Group gap={6} wrap="nowrap">
              <Timestamp value={k.expiresAt} withSeconds={false} />
              {Date.parse(k.expiresAt) <= Date.now() ? (
                <Badge color="orange" size="sm">
                  {t('expired')}
                </Badge>
              ) : null}
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              {t('never')}
            </Text>
          ),
      },
      {
        id: 'actions',
        header: () => <VisuallyHidden>{t('col.actions')}</VisuallyHidden>,
        size: 90,
        cell: ({ row: { original: k } }) =>
          k.revokedAt ? null : (
            <Guarded permission="apiKeys.write">
              <Button size="compact-sm" variant="subtle" color="red" onClick={() => void revoke(k)} aria-label={t('revoke.label', { name: k.name })}>
                {t('revoke.button')}
              </Button>
            </Guarded>
          ),
      },
    ];
  }, [t, queryClient]);

  const pagination = list.data?.pagination;
  const filtered = s.type !== undefined || s.unused !== undefined;
  return (
    <Stack>
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Guarded permission="apiKeys.write">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
            {t('create.open')}
          </Button>
        </Guarded>
      </PageHeader>
      <FilterBar names={['type', 'unused', 'revoked']}>
        <SelectFilter name="type" label={t('filter.type')} data={(['admin', 'server', 'client'] as const).map((v) => ({ value: v, label: t(`type.${v}`) }))} />
        <Select
          label={t('filter.unused')}
          placeholder={t('common:filter.any')}
          w={200}
          clearable
          data={UNUSED_DAYS.map((d) => ({ value: String(d), label: t('filter.unusedDays', { count: d }) }))}
          value={s.unused === undefined ? null : String(s.unused)}
          onChange={(v) => setSearch({ unused: v ? Number(v) : undefined })}
        />
        <Tooltip label={t('filter.revokedHint')} openDelay={400}>
          <Checkbox mb={8} label={t('filter.revoked')} checked={Boolean(s.revoked)} onChange={(e) => setSearch({ revoked: e.currentTarget.checked || undefined })} />
        </Tooltip>
      </FilterBar>
      <DataTable
        data={list.data?.data}
        columns={columns}
        getRowId={(k) => String(k.id)}
        total={pagination?.total}
        isLoading={list.isLoading}
        error={list.error}
        onRetry={() => void list.refetch()}
        height={fitHeight(list.data?.data.length)}
        empty={
          <Stack align="center" gap={4}>
            <IconKey size={28} opacity={0.5} />
            <span>{filtered ? t('emptyFiltered') : t('empty')}</span>
          </Stack>
        }
      />
      {pagination && pagination.totalPages > 1 ? (
        <Pagination total={pagination.totalPages} value={pagination.page} onChange={(page) => setSearch({ page }, { keepPage: true })} getControlProps={(c) => ({ 'aria-label': t(`page.${c}`) })} />
      ) : null}
      <CreateApiKeyModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(k) =>
          openSecretOnce({
            title: t('created.title', { name: k.name }),
            secret: k.key,
            description: <Text size="sm">{t('created.body', { type: t(`type.${k.type}`) })}</Text>,
          })
        }
      />
    </Stack>
  );
}
