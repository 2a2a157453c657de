/**
 * /maintenance: global maintenance — where it stands (scheduled → active → ended), start now / schedule / extend /
 * end now, messages per language with the game client's view, and the impact before applying (worlds behind it,
 * whitelist entries that still get in), confirmed by typing MAINTENANCE and a reason.
 */
import { Alert, Badge, Button, Group, List, Menu, Paper, SimpleGrid, Skeleton, Stack, Text, Timeline, Title } from '@mantine/core';
import { IconChevronDown, IconClockPlus, IconPlayerPlay, IconPlayerStop, IconShieldCheck, IconWorld } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useListGameWorlds } from '../../api/generated/game-worlds/game-worlds.ts';
import { setMaintenance, useGetMaintenance } from '../../api/generated/maintenance/maintenance.ts';
import type { GlobalMaintenance, MaintenanceBody, WhitelistEntry } from '../../api/generated/model/index.ts';
import { listWhitelistEntries } from '../../api/generated/whitelist/whitelist.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { ALL_WORLDS, useMaintenanceLanguages, worldPhase } from '../worlds/parts.tsx';
import { passingEntries, windowPhase } from './logic.ts';
import { MaintenanceForm } from './MaintenanceForm.tsx';
import { notify } from '../../lib/notify.ts';

/** The word typed to confirm starting or scheduling global maintenance. */
const CONFIRM_WORD = 'MAINTENANCE';
const EXTENSIONS = [15, 30, 60, 120];
const SHOWN = 5;

/** Every enabled whitelist entry (all pages): cached under the whitelist path, so whitelist events refresh it. */
function useEnabledWhitelist() {
  return useQuery({
    queryKey: ['/api/v1/whitelist', 'enabled-all'],
    queryFn: async ({ signal }) => {
      const entries: WhitelistEntry[] = [];
      for (let page = 1; ; page++) {
        const res = await listWhitelistEntries({ enabled: true, page, limit: 100 }, undefined, signal);
        entries.push(...res.data);
        if (page >= res.pagination.totalPages || res.data.length === 0) return entries;
      }
    },
  });
}

export default function MaintenanceScreen() {
  const { t } = useTranslation('maintenance');
  const queryClient = useQueryClient();
  const state = useGetMaintenance();
  const worlds = useListGameWorlds(ALL_WORLDS);
  const whitelist = useEnabledWhitelist();
  const languages = useMaintenanceLanguages();
  const m = state.data;
  const canWrite = useCan('ops.write');
  const phase = m ? windowPhase(m) : 'off';

  const save = async (body: MaintenanceBody, reason: string) => {
    const next = await setMaintenance(body, { reason });
    queryClient.setQueryData(['/api/v1/maintenance'], next);
    await queryClient.invalidateQueries({ queryKey: ['/api/v1/maintenance'] });
    return next;
  };
  const keep = (g: GlobalMaintenance) => ({ enabled: true, message: g.message, messages: g.messages });

  const startNow = (g: GlobalMaintenance) =>
    confirmDestructive({
      target: t('confirm.target'),
      typeToConfirm: CONFIRM_WORD,
      confirmLabel: t('actions.startNow'),
      onConfirm: (reason) => save({ ...keep(g), startsAt: null, endsAt: g.endsAt }, reason),
    });
  const endNow = () =>
    confirmDestructive({
      target: t(phase === 'active' ? 'confirm.endTarget' : 'confirm.cancelTarget'),
      confirmLabel: t(phase === 'active' ? 'actions.endNow' : 'actions.cancelSchedule'),
      onConfirm: (reason) => save({ enabled: false }, reason),
    });
  const extend = (g: GlobalMaintenance, minutes: number) => {
    const from = Math.max(g.endsAt ? Date.parse(g.endsAt) : Date.now(), Date.now());
    const endsAt = new Date(from + minutes * 60_000).toISOString();
    return confirmDestructive({
      target: t('confirm.extendTarget', { minutes }),
      confirmLabel: t('actions.extend'),
      onConfirm: async (reason) => {
        await save({ ...keep(g), startsAt: g.startsAt, endsAt }, reason);
        notify({ color: 'teal', message: t('extended', { minutes }) });
      },
    });
  };

  const extendButton = (
    <Button variant="default" leftSection={<IconClockPlus size={16} />} rightSection={<IconChevronDown size={14} />}>
      {t('actions.extend')}
    </Button>
  );

  // Impact at the window's start (now when in effect or starting now).
  const at = m && phase === 'scheduled' && m.startsAt ? Date.parse(m.startsAt) : Date.now();
  const visibleWorlds = useMemo(() => (worlds.data?.data ?? []).filter((w) => w.visible), [worlds.data]);
  const passing = useMemo(() => passingEntries(whitelist.data ?? [], at), [whitelist.data, at]);

  const impact = (
    <Paper withBorder p="sm" data-testid="maintenance-impact">
      <Text size="sm" fw={600} mb={6}>
        {t('impact.title')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Stack gap={4}>
          <Group gap={6}>
            <IconWorld size={16} aria-hidden />
            <Text size="sm" data-testid="impact-worlds">
              {worlds.isLoading ? t('common:loading') : t('impact.worlds', { count: visibleWorlds.length })}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {t('impact.worldsHint', { count: visibleWorlds.filter((w) => worldPhase(w) === 'active').length })}
          </Text>
          {visibleWorlds.length > 0 ? (
            <Text size="xs" ff="monospace">
              {visibleWorlds.slice(0, SHOWN).map((w) => w.worldId).join(', ')}
              {visibleWorlds.length > SHOWN ? ` ${t('impact.more', { count: visibleWorlds.length - SHOWN })}` : ''}
            </Text>
          ) : null}
        </Stack>
        <Stack gap={4}>
          <Group gap={6}>
            <IconShieldCheck size={16} aria-hidden />
            <Text size="sm" data-testid="impact-whitelist">
              {whitelist.isLoading ? t('common:loading') : t('impact.whitelist', { count: passing.length })}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {t('impact.whitelistHint')}
          </Text>
          {whitelist.error ? <ProblemAlert error={whitelist.error} /> : null}
          {passing.length > 0 ? (
            <List size="xs" spacing={0}>
              {passing.slice(0, SHOWN).map((e) => (
                <List.Item key={e.id}>
                  <Text span size="xs" ff="monospace">
                    {e.value}
                  </Text>{' '}
                  <Text span size="xs" c="dimmed">
                    {t(`impact.type.${e.type}`, { defaultValue: e.type })}
                    {e.memo ? ` · ${e.memo}` : ''}
                  </Text>
                </List.Item>
              ))}
              {passing.length > SHOWN ? <List.Item>{t('impact.more', { count: passing.length - SHOWN })}</List.Item> : null}
            </List>
          ) : null}
        </Stack>
      </SimpleGrid>
    </Paper>
  );

  return (
    <Stack gap="md" maw={1100}>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="sm">
            <Title order={2}>{t('title')}</Title>
            {m ? (
              <Badge data-testid="global-status" color={phase === 'active' ? 'orange.5' : phase === 'scheduled' ? 'blue' : 'teal'} variant={phase === 'active' ? 'filled' : 'dot'} autoContrast size="lg">
                {t(`phase.${phase}`)}
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            {t('subtitle')}
          </Text>
        </div>
        {m && phase !== 'off' ? (
          <Group gap="xs">
            {phase === 'scheduled' ? (
              <Guarded permission="ops.write">
                <Button leftSection={<IconPlayerPlay size={16} />} color="orange" onClick={() => void startNow(m)}>
                  {t('actions.startNow')}
                </Button>
              </Guarded>
            ) : (
              canWrite ? (
              <Menu position="bottom-end">
                <Menu.Target>
                  {extendButton}
                </Menu.Target>
                <Menu.Dropdown>
                  {EXTENSIONS.map((minutes) => (
                    <Menu.Item key={minutes} onClick={() => void extend(m, minutes)}>
                      {t('actions.extendBy', { minutes })}
                    </Menu.Item>
                  ))}
                </Menu.Dropdown>
              </Menu>
              ) : (
                <Guarded permission="ops.write">{extendButton}</Guarded>
              )
            )}
            <Guarded permission="ops.write">
              <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} />} onClick={() => void endNow()}>
                {t(phase === 'active' ? 'actions.endNow' : 'actions.cancelSchedule')}
              </Button>
            </Guarded>
          </Group>
        ) : null}
      </Group>

      {state.error ? <ProblemAlert error={state.error} /> : null}
      {!m ? (
        <Skeleton height={300} />
      ) : (
        <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md">
          <Paper withBorder p="md">
            <Text size="sm" fw={600} mb="sm">
              {t('timeline.title')}
            </Text>
            <Timeline active={phase === 'scheduled' ? 0 : phase === 'active' ? 1 : 2} bulletSize={18} lineWidth={2}>
              <Timeline.Item title={t('timeline.scheduled')}>
                <Text size="xs" c="dimmed">
                  {m.startsAt ? <Timestamp value={m.startsAt} /> : t('timeline.noSchedule')}
                </Text>
              </Timeline.Item>
              <Timeline.Item title={t('timeline.active')}>
                <Text size="xs" c="dimmed">
                  {phase === 'active' ? t('timeline.inEffect') : phase === 'scheduled' ? t('timeline.waiting') : t('timeline.notInEffect')}
                </Text>
              </Timeline.Item>
              <Timeline.Item title={t('timeline.ended')}>
                <Text size="xs" c="dimmed">
                  {m.endsAt ? <Timestamp value={m.endsAt} /> : phase === 'off' ? t('timeline.lastChange') : t('timeline.openEnded')}
                </Text>
                {phase === 'off' && !m.endsAt ? (
                  <Text size="xs" c="dimmed">
                    <Timestamp value={m.updatedAt} />
                  </Text>
                ) : null}
              </Timeline.Item>
            </Timeline>
            {phase === 'active' ? (
              <Alert mt="md" color="orange" variant="light" p="xs">
                <Text size="xs">{t('activeNote')}</Text>
              </Alert>
            ) : null}
          </Paper>
          <Paper withBorder p="md" style={{ gridColumn: 'span 2' }}>
            <Text size="sm" fw={600} mb="sm">
              {t(phase === 'off' ? 'form.startTitle' : 'form.editTitle')}
            </Text>
            <MaintenanceForm
              draftKey="maintenance.global"
              initial={phase === 'off' ? { message: m.message, messages: m.messages, startsAt: null, endsAt: null } : m}
              languages={languages}
              withReason={false}
              submitLabel={t(phase === 'off' ? 'form.apply' : 'form.update')}
              onSubmit={(body) =>
                confirmDestructive({
                  target: t('confirm.target'),
                  typeToConfirm: CONFIRM_WORD,
                  confirmLabel: t(body.startsAt ? 'form.confirmSchedule' : 'form.confirmStart'),
                  onConfirm: (reason) => save(body, reason),
                })
              }
            >
              {impact}
            </MaintenanceForm>
          </Paper>
        </SimpleGrid>
      )}
    </Stack>
  );
}
