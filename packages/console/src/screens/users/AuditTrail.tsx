import { Alert, Anchor, Badge, Skeleton, Table, Text } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useListAuditLogs } from '../../api/generated/audit/audit.ts';
import { useCan } from '../../auth/useCan.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';

const LIMIT = 50;

/** The user's own audit trail: the latest entries whose target is this user. */
export function AuditTrail({ userId }: { userId: number }) {
  const { t } = useTranslation('users');
  const canRead = useCan('audit.read');
  const params = { targetType: 'user', targetId: String(userId), limit: LIMIT };
  const audit = useListAuditLogs(params, { query: { enabled: canRead } });
  if (!canRead) return <Alert color="gray" variant="light">{t('audit.needsRead')}</Alert>;
  if (audit.error) return <ProblemAlert error={audit.error} />;
  if (!audit.data) return <Skeleton h={80} />;
  const rows = audit.data.data;
  if (rows.length === 0) return <Text size="sm" c="dimmed">{t('audit.none')}</Text>;
  return (
    <>
      <Table withTableBorder verticalSpacing="xs" data-testid="audit-trail">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={200}>{t('audit.at')}</Table.Th>
            <Table.Th w={190}>{t('audit.action')}</Table.Th>
            <Table.Th w={160}>{t('audit.actor')}</Table.Th>
            <Table.Th>{t('audit.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td>
                <Timestamp value={e.createdAt} />
              </Table.Td>
              <Table.Td>
                <Badge variant="light" color="gray" size="sm" tt="none">
                  {e.action}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{e.actorName ?? '—'}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={e.reason ? undefined : 'dimmed'}>
                  {e.reason ?? '—'}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {audit.data.pagination.total > rows.length ? (
        <Anchor component={Link} to="/audit" search={{ targetType: 'user', targetId: String(userId) } as never} size="sm" mt="xs" display="inline-block">
          {t('audit.all', { count: audit.data.pagination.total })}
        </Anchor>
      ) : null}
    </>
  );
}
