import { ActionIcon, Alert, Badge, Button, Code, Group, Paper, ScrollArea, Stack, Switch, Table, Text, TextInput, Textarea, Tooltip } from '@mantine/core';
import { IconCheck, IconChecklist, IconTrash, IconUpload } from '@tabler/icons-react';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useImportWhitelistEntries, useListWhitelistEntries } from '../../api/generated/whitelist/whitelist.ts';
import type { WhitelistImportResult } from '../../api/generated/model/whitelistImportResult.ts';
import { useCan } from '../../auth/useCan.ts';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useInvalidatePaths } from '../../lib/invalidate.ts';
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard.ts';
import { checkLines, replaceLine, serverNote, type LineNote } from './lines.ts';
import { fromLocalInput } from './window.ts';
import { notify } from '../../lib/notify.ts';

interface Row {
  line: number;
  input: string;
  value?: string;
  outcome: 'error' | 'skip' | 'create';
  notes: (LineNote | string)[];
}

/** How many existing entries the instant (client-side) check compares with; the server's dry run checks them all. */
const EXISTING_SAMPLE = 100;

/**
 * The paste box: many lines checked as typed (normalised value, errors, duplicates, overlaps), fixed in place,
 * then a server dry run with per-line results, then the import in one transaction.
 */
export function PasteImport() {
  const { t } = useTranslation('whitelist');
  const canWrite = useCan('ops.write');
  const [text, setText] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [checked, setChecked] = useState<{ text: string; result: WhitelistImportResult } | null>(null);
  const [done, setDone] = useState<WhitelistImportResult | null>(null);
  // The tabs stay mounted: switching tabs keeps the text, so only leaving the screen asks.
  useUnsavedChangesGuard(text.trim() !== '', { samePage: true });
  const existing = useListWhitelistEntries({ limit: EXISTING_SAMPLE });
  const importer = useImportWhitelistEntries();
  const refresh = useInvalidatePaths();
  const deferred = useDeferredValue(text);
  const local = useMemo(() => checkLines(deferred, existing.data?.data ?? []), [deferred, existing.data]);
  const server = checked?.text === text ? checked.result : null;
  // A dry run creates nothing (counts.created is 0): what it would create are the lines marked `create`.
  const toCreate = server ? server.results.filter((r) => r.ok && r.action === 'create').length : 0;

  const rows: Row[] = useMemo(() => {
    if (server) {
      return server.results.map((r) => ({
        line: r.line,
        input: r.input,
        value: r.entry?.value,
        outcome: !r.ok ? 'error' : r.action === 'skip' ? 'skip' : 'create',
        notes: [...(r.error ? [serverNote(r.error.detail) ?? r.error.detail] : []), ...(r.warnings ?? []).map((w) => serverNote(w) ?? w)],
      }));
    }
    return local.map((l) => ({ line: l.line, input: l.input, value: l.value, outcome: l.error ? 'error' : l.skip ? 'skip' : 'create', notes: [...(l.error ? [l.error] : []), ...l.warnings] }));
  }, [server, local]);

  const counts = {
    lines: rows.length,
    invalid: rows.filter((r) => r.outcome === 'error').length,
    create: rows.filter((r) => r.outcome === 'create').length,
    skip: rows.filter((r) => r.outcome === 'skip').length,
    warnings: rows.filter((r) => r.outcome !== 'error' && r.notes.length > 0).length,
  };
  const shown = [...rows].sort((a, b) => rank(a) - rank(b) || a.line - b.line);
  const noteText = (n: LineNote | string) => (typeof n === 'string' ? n : t(`note.${n.key}`, n.values ?? {}));

  const body = (dryRun: boolean) => ({
    text,
    dryRun,
    defaults: { enabled, startsAt: fromLocalInput(startsAt), endsAt: fromLocalInput(endsAt) },
  });
  const dryRun = () => {
    setDone(null);
    importer.mutate({ data: body(true) }, { onSuccess: (result) => setChecked({ text, result }) });
  };
  const apply = () =>
    importer.mutate(
      { data: body(false) },
      {
        onSuccess: (result) => {
          setDone(result);
          refresh('/api/v1/whitelist');
          setChecked(null);
          setText('');
          notify({ color: 'green', message: t('paste.imported', { created: result.counts.created, skipped: result.counts.skipped }) });
        },
      },
    );

  return (
    <Stack gap="sm">
      <Textarea
        label={t('paste.label')}
        description={t('paste.format')}
        placeholder={'203.0.113.0/24 # QA office\nplayer-42, streamer\n2001:db8::/48'}
        autosize
        minRows={8}
        maxRows={16}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
        readOnly={!canWrite}
      />
      <Group align="flex-end" gap="md">
        <TextInput type="datetime-local" label={t('field.startsAt')} value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} w={220} />
        <TextInput type="datetime-local" label={t('field.endsAt')} value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} w={220} />
        <Switch label={t('field.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} mb={8} />
      </Group>
      {rows.length > 0 ? (
        <Group gap="xs" aria-live="polite">
          <Badge variant="light" color="gray">{t('paste.count.lines', { count: counts.lines })}</Badge>
          <Badge variant="light" color={counts.invalid ? 'red' : 'gray'}>{t('paste.count.invalid', { count: counts.invalid })}</Badge>
          <Badge variant="light" color="green">{t('paste.count.create', { count: counts.create })}</Badge>
          <Badge variant="light" color="gray">{t('paste.count.skip', { count: counts.skip })}</Badge>
          <Badge variant="light" color={counts.warnings ? 'yellow' : 'gray'}>{t('paste.count.warnings', { count: counts.warnings })}</Badge>
          <Text size="xs" c="dimmed">
            {server ? t('paste.checkedOnServer') : t('paste.checkedHere')}
          </Text>
        </Group>
      ) : null}
      <Group gap="sm">
        <Guarded permission="ops.write">
          <Button variant="default" leftSection={<IconChecklist size={16} />} onClick={dryRun} loading={importer.isPending && importer.variables?.data.dryRun} disabled={rows.length === 0}>
            {t('paste.dryRun')}
          </Button>
        </Guarded>
        <Guarded permission="ops.write">
          <Button
            leftSection={<IconUpload size={16} />}
            onClick={apply}
            loading={importer.isPending && !importer.variables?.data.dryRun}
            disabled={!server || server.counts.invalid > 0 || toCreate === 0}
          >
            {toCreate > 0 ? t('paste.apply', { count: toCreate }) : t('paste.applyNone')}
          </Button>
        </Guarded>
        {!server && rows.length > 0 ? (
          <Text size="sm" c="dimmed">
            {counts.invalid > 0 ? t('paste.fixFirst') : t('paste.dryRunFirst')}
          </Text>
        ) : null}
      </Group>
      <ProblemAlert error={importer.error} />
      {done ? (
        <Alert color="green" icon={<IconCheck size={18} />} title={t('paste.doneTitle')}>
          {t('paste.imported', { created: done.counts.created, skipped: done.counts.skipped })}
        </Alert>
      ) : null}
      {rows.length === 0 && !done ? (
        <Text size="sm" c="dimmed">
          {t('paste.empty')}
        </Text>
      ) : null}
      {shown.length > 0 ? (
        <Paper withBorder>
          <ScrollArea.Autosize mah={460} viewportProps={{ tabIndex: 0, 'aria-label': t('paste.results') }}>
            <Table verticalSpacing={4} stickyHeader>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={64} style={{ textAlign: 'right' }}>{t('paste.col.line')}</Table.Th>
                  <Table.Th>{t('paste.col.input')}</Table.Th>
                  <Table.Th>{t('paste.col.value')}</Table.Th>
                  <Table.Th w={110}>{t('paste.col.result')}</Table.Th>
                  <Table.Th>{t('paste.col.notes')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((r) => (
                  <Table.Tr key={r.line} data-line={r.line} data-outcome={r.outcome}>
                    <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{r.line}</Table.Td>
                    <Table.Td>
                      {r.outcome === 'error' && canWrite ? (
                        <FixLine line={r.line} input={r.input} onFix={(v) => setText((cur) => replaceLine(cur, r.line, v))} />
                      ) : (
                        <Code fz="xs">{r.input}</Code>
                      )}
                    </Table.Td>
                    <Table.Td>{r.value ? <Code fz="xs">{r.value}</Code> : '—'}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={r.outcome === 'error' ? 'red' : r.outcome === 'skip' ? 'gray' : 'green'}>
                        {t(`paste.outcome.${r.outcome}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Stack gap={0}>
                        {r.notes.map((n, i) => (
                          <Text key={i} size="xs" c={r.outcome === 'error' ? 'var(--mantine-color-red-light-color)' : 'var(--mantine-color-orange-light-color)'}>
                            {noteText(n)}
                          </Text>
                        ))}
                      </Stack>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea.Autosize>
        </Paper>
      ) : null}
    </Stack>
  );
}

/** Errors first, then lines with notes, then the rest. */
const rank = (r: Row) => (r.outcome === 'error' ? 0 : r.notes.length > 0 ? 1 : 2);

/** A bad line, editable where it is: Enter or the check button puts the fix into the text; the bin removes the line. */
function FixLine({ line, input, onFix }: { line: number; input: string; onFix: (value: string) => void }) {
  const { t } = useTranslation('whitelist');
  const [value, setValue] = useState(input);
  return (
    <Group gap={4} wrap="nowrap">
      <TextInput
        size="xs"
        value={value}
        aria-label={t('paste.fixLabel', { line })}
        onChange={(e) => setValue(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onFix(value);
        }}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        miw={200}
      />
      <Tooltip label={t('paste.fix')}>
        <ActionIcon variant="light" aria-label={t('paste.fixLine', { line })} onClick={() => onFix(value)}>
          <IconCheck size={14} />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={t('paste.remove')}>
        <ActionIcon variant="subtle" color="red" aria-label={t('paste.removeLine', { line })} onClick={() => onFix('')}>
          <IconTrash size={14} />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
