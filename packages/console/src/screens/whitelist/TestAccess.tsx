import { Alert, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconCircleCheck, IconCircleX } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/errors.ts';
import { useTestWhitelist } from '../../api/generated/whitelist/whitelist.ts';
import { useCan } from '../../auth/useCan.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';

const WHY_KEYS: Record<string, string> = { 'in effect': 'inEffect', disabled: 'disabled', 'not started': 'notStarted', ended: 'ended' };

/** Would this account / IP get through maintenance, and what does each game-client API answer it? */
export function TestAccess() {
  const { t } = useTranslation('whitelist');
  const canWrite = useCan('ops.write');
  const [accountId, setAccountId] = useState('');
  const [ip, setIp] = useState('');
  const [callerIp, setCallerIp] = useState<string | null>(null);
  const probe = useTestWhitelist();
  const test = useTestWhitelist();
  const probeMutate = probe.mutate;

  // The server tells the caller's own address (an empty test); it prefills the IP.
  useEffect(() => {
    if (!canWrite) return;
    probeMutate(
      { data: {} },
      {
        onSuccess: (r) => {
          setCallerIp(r.callerIp);
          setIp((cur) => cur || r.callerIp);
        },
      },
    );
  }, [canWrite, probeMutate]);

  const result = test.data;
  const fieldError = (name: string) => (isApiError(test.error) ? test.error.fieldErrors[name] : undefined);

  return (
    <Stack gap="md" maw={1100}>
      <Paper withBorder p="md">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            test.mutate({ data: { accountId: accountId.trim() || undefined, ip: ip.trim() || undefined } });
          }}
        >
          <Group align="flex-start" gap="md">
            <TextInput label={t('test.accountId')} placeholder="player-42" value={accountId} onChange={(e) => setAccountId(e.currentTarget.value)} w={240} />
            <TextInput
              label={t('test.ip')}
              description={callerIp ? t('test.yourIp', { ip: callerIp }) : t('test.ipHint')}
              placeholder="203.0.113.9"
              value={ip}
              onChange={(e) => setIp(e.currentTarget.value)}
              error={fieldError('ip')}
              w={260}
            />
            <Guarded permission="ops.write">
              <Button type="submit" mt={25} loading={test.isPending}>
                {t('test.run')}
              </Button>
            </Guarded>
          </Group>
        </form>
      </Paper>
      {test.error && !fieldError('ip') ? <ProblemAlert error={test.error} /> : null}
      {result ? (
        <Stack gap="md" data-testid="test-result">
          <Alert
            color={result.allowed ? 'green' : 'red'}
            icon={result.allowed ? <IconCircleCheck size={20} /> : <IconCircleX size={20} />}
            title={result.allowed ? t('test.allowed') : t('test.refused')}
          >
            {t('test.subject', { account: result.accountId ?? '—', ip: result.ip ?? '—' })}
          </Alert>
          <Paper withBorder p="md">
            <Title order={5} mb="xs">
              {t('test.matched', { count: result.matched.length })}
            </Title>
            {result.matched.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('test.noMatch')}
              </Text>
            ) : (
              <Table verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('col.value')}</Table.Th>
                    <Table.Th>{t('test.matchedBy')}</Table.Th>
                    <Table.Th>{t('col.memo')}</Table.Th>
                    <Table.Th>{t('col.state')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {result.matched.map((m) => (
                    <Table.Tr key={m.entry.id}>
                      <Table.Td>
                        <Code fz="sm">{m.entry.value}</Code>
                      </Table.Td>
                      <Table.Td>{t(`type.${m.matchedBy}`)}</Table.Td>
                      <Table.Td>{m.entry.memo ?? '—'}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={m.inEffect ? 'green' : 'gray'}>
                          {t(`why.${WHY_KEYS[m.why] ?? 'inEffect'}`, { defaultValue: m.why })}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
          <Title order={5}>{t('test.answers')}</Title>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Answer title="GET /api/v1/client/status" summary={statusSummary(result.decisions.status, t)} value={result.decisions.status} />
            <Answer title="GET /api/v1/client/game-worlds" summary={worldsSummary(result.decisions.gameWorlds, t)} value={result.decisions.gameWorlds} />
          </SimpleGrid>
        </Stack>
      ) : null}
    </Stack>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function statusSummary(value: unknown, t: T) {
  const maintenance = Boolean((value as { maintenance?: boolean } | null)?.maintenance);
  return (
    <Badge variant="light" color={maintenance ? 'orange' : 'green'}>
      {maintenance ? t('test.inMaintenance') : t('test.open')}
    </Badge>
  );
}

function worldsSummary(value: unknown, t: T) {
  const worlds = (value as { data?: { maintenance?: boolean }[] } | null)?.data ?? [];
  const down = worlds.filter((w) => w.maintenance).length;
  return (
    <Badge variant="light" color={down ? 'orange' : 'green'}>
      {t('test.worlds', { count: worlds.length, down })}
    </Badge>
  );
}

/** One game-client API's answer: a summary badge and the exact JSON. */
function Answer({ title, summary, value }: { title: string; summary: ReactNode; value: unknown }) {
  return (
    <Paper withBorder p="sm">
      <Group justify="space-between" mb={6}>
        <Text size="sm" ff="monospace" fw={600}>
          {title}
        </Text>
        {summary}
      </Group>
      <Code block fz="xs" style={{ maxHeight: 260, overflow: 'auto' }} tabIndex={0} aria-label={title}>
        {JSON.stringify(value, null, 2)}
      </Code>
    </Paper>
  );
}
