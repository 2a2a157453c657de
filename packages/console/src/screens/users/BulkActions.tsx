import { Alert, Anchor, Button, Group, Modal, Select, Stack, Table, Text, Textarea } from '@mantine/core';
import { IconBan, IconCircleCheck, IconTrash, IconUserCog } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_REASON_LENGTH } from '../../api/fetcher.ts';
import { bulkUsers } from '../../api/generated/users/users.ts';
import type { BulkUsersRequest } from '../../api/generated/model/bulkUsersRequest.ts';
import type { UserBulkResult } from '../../api/generated/model/userBulkResult.ts';
import type { UserFilter } from '../../api/generated/model/userFilter.ts';
import type { UserRole } from '../../api/generated/model/userRole.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import type { Selection } from '../../components/DataTable.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { READABLE_ALERT, ROLES } from './model.ts';
import { SuspendModal } from './SuspendModal.tsx';

/** What a bulk change did: its action, and the server's per-user results. */
export interface BulkOutcome {
  action: string;
  result: UserBulkResult;
}

/** The bulk buttons over the selected users (or all N matching the filter): suspend, activate, change role, delete. */
export function BulkActions({ selection, filter, total, onDone }: { selection: Selection; filter: UserFilter; total: number; onDone: (o: BulkOutcome) => void }) {
  const { t } = useTranslation('users');
  const queryClient = useQueryClient();
  const [suspending, setSuspending] = useState(false);
  const [roleOpen, setRoleOpen] = useState(false);
  const count = selection.allMatching ? total : selection.ids.length;
  const target = t('bulk.target', { count });

  const run = async (action: string, body: Omit<BulkUsersRequest, 'ids' | 'filter'>, reason: string) => {
    const who = selection.allMatching ? { filter } : { ids: selection.ids.map(Number) };
    const result = await bulkUsers({ ...body, ...who }, { reason });
    await queryClient.invalidateQueries({ queryKey: ['/api/v1/users'] });
    onDone({ action, result });
  };

  return (
    <>
      <Guarded permission="users.write">
        <Button size="xs" color="red" variant="light" leftSection={<IconBan size={14} />} onClick={() => setSuspending(true)}>
          {t('bulk.suspend')}
        </Button>
      </Guarded>
      <Guarded permission="users.write">
        <Button
          size="xs"
          variant="light"
          leftSection={<IconCircleCheck size={14} />}
          onClick={() => void confirmDestructive({ target, confirmLabel: t('bulk.activate'), onConfirm: (reason) => run('activate', { action: 'setStatus', status: 'active' }, reason) })}
        >
          {t('bulk.activate')}
        </Button>
      </Guarded>
      <Guarded permission="users.write">
        <Button size="xs" variant="light" leftSection={<IconUserCog size={14} />} onClick={() => setRoleOpen(true)}>
          {t('bulk.setRole')}
        </Button>
      </Guarded>
      <Guarded permission="users.write">
        <Button
          size="xs"
          color="red"
          leftSection={<IconTrash size={14} />}
          onClick={() =>
            void confirmDestructive({ target, typeToConfirm: String(count), confirmLabel: t('bulk.delete'), onConfirm: (reason) => run('delete', { action: 'delete' }, reason) })
          }
        >
          {t('bulk.delete')}
        </Button>
      </Guarded>
      <SuspendModal
        opened={suspending}
        target={target}
        onClose={() => setSuspending(false)}
        onSubmit={({ reason, until }) => run('suspend', { action: 'setStatus', status: 'suspended', ...(until ? { until } : {}) }, reason)}
      />
      <RoleModal opened={roleOpen} target={target} onClose={() => setRoleOpen(false)} onSubmit={(role, reason) => run('setRole', { action: 'setRole', role }, reason)} />
    </>
  );
}

function RoleModal({ opened, target, onClose, onSubmit }: { opened: boolean; target: string; onClose: () => void; onSubmit: (role: UserRole, reason: string) => Promise<unknown> }) {
  const { t } = useTranslation('users');
  const [role, setRole] = useState<UserRole | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    setRole(null);
    setReason('');
    setError(null);
    onClose();
  };
  const submit = async () => {
    if (!role) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(role, reason.trim());
      close();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>{t('bulk.roleTitle', { target })}</Text>} centered>
      <Stack>
        <ProblemAlert error={error} />
        <Select label={t('bulk.newRole')} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={role} onChange={(v) => setRole(v as UserRole | null)} required data-autofocus />
        <Textarea label={t('common:destructive.reason')} description={t('common:destructive.reasonHint')} value={reason} maxLength={MAX_REASON_LENGTH} autosize minRows={2} onChange={(e) => setReason(e.currentTarget.value)} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t('common:cancel')}
          </Button>
          <Button onClick={() => void submit()} loading={busy} disabled={!role}>
            {t('bulk.setRole')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The per-user results of a bulk change: how many succeeded, and each failed user with why. */
export function BulkResultPanel({ outcome, onClose }: { outcome: BulkOutcome; onClose: () => void }) {
  const { t } = useTranslation('users');
  const { result } = outcome;
  const failed = result.results.filter((r) => !r.ok);
  return (
    <Alert
      color={failed.length === 0 ? 'green' : result.succeeded === 0 ? 'red' : 'yellow'}
      title={t(`bulk.done.${outcome.action}`)}
      withCloseButton
      closeButtonLabel={t('common:close')}
      onClose={onClose}
      data-testid="bulk-result"
      styles={READABLE_ALERT}
    >
      <Text size="sm">{t('bulk.summary', { total: result.total, succeeded: result.succeeded, failed: result.failed })}</Text>
      {failed.length > 0 ? (
        <Table mt="xs" withTableBorder verticalSpacing={4} fz="sm" maw={760}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={90} ta="right">{t('col.id')}</Table.Th>
              <Table.Th w={140}>{t('bulk.code')}</Table.Th>
              <Table.Th>{t('bulk.why')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {failed.slice(0, 200).map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td ta="right">
                  <Anchor component={Link} to="/users/$id" params={{ id: String(r.id) } as never} size="sm" ff="monospace">
                    {r.id}
                  </Anchor>
                </Table.Td>
                <Table.Td ff="monospace">{r.error?.code}</Table.Td>
                <Table.Td>{t(`bulk.error.${r.error?.code}`, { defaultValue: r.error?.detail ?? '' })}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
      {failed.length > 200 ? (
        <Text size="xs" c="dimmed" mt={4}>
          {t('bulk.moreFailed', { count: failed.length - 200 })}
        </Text>
      ) : null}
    </Alert>
  );
}
