/**
 * /worlds: every game world in display order with its status and live players; reorder by drag and drop or the move buttons (saved at
 * once), show/hide, create, one world's maintenance, maintenance across selected worlds, delete by typing the worldId.
 */
import { ActionIcon, Anchor, Badge, Button, Checkbox, Drawer, Group, Menu, Paper, Skeleton, Stack, Switch, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconDots, IconGripVertical, IconPlus, IconTool, IconTrash } from '@tabler/icons-react';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createGameWorld, deleteGameWorld, orderGameWorlds, updateGameWorld, useListGameWorlds } from '../../api/generated/game-worlds/game-worlds.ts';
import type { GameWorld, GameWorldListItem } from '../../api/generated/model/index.ts';
import { useCan } from '../../auth/useCan.ts';
import { confirmDestructive } from '../../components/confirmDestructive.tsx';
import { FilterBar, SearchFilter, SelectFilter, useUrlSearch } from '../../components/FilterBar.tsx';
import { Guarded } from '../../components/Guarded.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { moveBy, moveTo } from '../maintenance/logic.ts';
import { BulkMaintenance } from './BulkMaintenance.tsx';
import { ALL_WORLDS, useRefreshWorlds, WorldMaintenancePanel, worldPhase, WorldStatusBadges } from './parts.tsx';
import { STATUSES, type Search } from './search.ts';
import { WorldForm } from './WorldForm.tsx';
import { LIVE_REFRESH_MS, LivePlayers } from './instances.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { notify } from '../../lib/notify.ts';

const route = getRouteApi('/_app/worlds');

export default function GameWorldsScreen() {
  const { t } = useTranslation('worlds');
  const search = route.useSearch();
  const [, setSearch] = useUrlSearch<Search>();
  const navigate = useNavigate();
  const canWrite = useCan('ops.write');
  const refresh = useRefreshWorlds();
  useEffect(() => {
    if (search.maintenance !== undefined) setSearch({ maintenance: undefined, status: search.maintenance ? 'maintenance' : 'open' });
  }, [search.maintenance, setSearch]);

  const params = {
    ...ALL_WORLDS,
    q: search.q,
    tag: search.tag,
    visible: search.status === 'hidden' ? false : undefined,
    maintenance: search.status === 'maintenance' ? true : search.status === 'open' || search.status === 'scheduled' ? false : undefined,
  };
  // Player counts change without events: read again every LIVE_REFRESH_MS.
  const list = useListGameWorlds(params, { query: { refetchInterval: LIVE_REFRESH_MS } });
  const all = useListGameWorlds(ALL_WORLDS);
  const worlds = useMemo(() => {
    const rows = list.data?.data ?? [];
    if (search.status === 'open') return rows.filter((w) => worldPhase(w) === 'off');
    if (search.status === 'scheduled') return rows.filter((w) => worldPhase(w) === 'scheduled');
    return rows;
  }, [list.data, search.status]);
  const filtered = Boolean(search.q || search.tag || search.status);
  const tags = useMemo(() => [...new Set((all.data?.data ?? []).flatMap((w) => w.tags))].sort(), [all.data]);

  // The order shown while a reorder is on its way (the server's answer replaces it).
  const [order, setOrder] = useState<number[] | null>(null);
  useEffect(() => setOrder(null), [list.data]);
  const byId = useMemo(() => new Map(worlds.map((w) => [w.id, w])), [worlds]);
  const rows = order ? order.map((id) => byId.get(id)).filter((w): w is GameWorldListItem => Boolean(w)) : worlds;
  const canReorder = canWrite && !filtered && rows.length > 1;

  const saveOrder = async (ids: number[]) => {
    setOrder(ids);
    try {
      await orderGameWorlds({ ids });
      await refresh();
    } catch (e) {
      setOrder(null);
      notify({ color: 'red', title: t('order.failed'), message: e instanceof Error ? e.message : String(e) });
    }
  };

  const [selected, setSelected] = useState<Set<number>>(new Set());
  const toggle = (id: number) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const allSelected = rows.length > 0 && rows.every((w) => selected.has(w.id));

  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const onDrop = (e: DragEvent, to: number) => {
    e.preventDefault();
    if (dragFrom === null || dragFrom === to) return;
    void saveOrder(moveTo(rows.map((w) => w.id), dragFrom, to));
    setDragFrom(null);
  };

  const setVisible = async (w: GameWorld, visible: boolean) => {
    try {
      await updateGameWorld(w.id, { visible });
      await refresh();
    } catch (e) {
      notify({ color: 'red', title: t('visibility.failed', { worldId: w.worldId }), message: e instanceof Error ? e.message : String(e) });
    }
  };

  const remove = (w: GameWorld) =>
    confirmDestructive({
      target: t('delete.target', { worldId: w.worldId }),
      typeToConfirm: w.worldId,
      confirmLabel: t('delete.confirm'),
      onConfirm: async (reason) => {
        await deleteGameWorld(w.id, { reason });
        setSelected((s) => {
          const next = new Set(s);
          next.delete(w.id);
          return next;
        });
        await refresh();
      },
    });

  const closeCreate = useCallback(() => setSearch({ create: undefined }, { keepPage: true }), [setSearch]);
  const maintained = search.maintain ? (all.data?.data ?? []).find((w) => w.id === search.maintain) : undefined;
  const bulkIds = search.bulk ? search.bulk.split(',').map(Number) : [];
  const bulkWorlds = (all.data?.data ?? []).filter((w) => bulkIds.includes(w.id));

  return (
    <Stack gap="md">
      <PageHeader title={t('title')} subtitle={t('subtitle')}>
        <Guarded permission="ops.write">
          <Button leftSection={<IconPlus size={16} />} onClick={() => setSearch({ create: true }, { keepPage: true })}>
            {t('create.button')}
          </Button>
        </Guarded>
      </PageHeader>

      <FilterBar names={['q', 'status', 'tag']}>
        <SearchFilter placeholder={t('filters.search')} />
        <SelectFilter name="status" label={t('filters.status')} data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
        <SelectFilter name="tag" label={t('filters.tag')} data={tags} searchable />
      </FilterBar>

      {selected.size > 0 ? (
        <Paper withBorder p="xs" bg="var(--mantine-primary-color-light)">
          <Group justify="space-between">
            <Text size="sm" fw={500} data-testid="selection-count">
              {t('bulk.selected', { count: selected.size })}
            </Text>
            <Group gap="xs">
              <Button variant="subtle" size="xs" onClick={() => setSelected(new Set())}>
                {t('common:table.clearSelection')}
              </Button>
              <Guarded permission="ops.write">
                <Button size="xs" leftSection={<IconTool size={14} />} onClick={() => setSearch({ bulk: [...selected].join(',') }, { keepPage: true })}>
                  {t('bulk.button', { count: selected.size })}
                </Button>
              </Guarded>
            </Group>
          </Group>
        </Paper>
      ) : null}

      {list.error ? (
        <Paper withBorder p="md">
          <ProblemAlert error={list.error} />
          <Button mt="sm" variant="default" onClick={() => void list.refetch()}>
            {t('common:retry')}
          </Button>
        </Paper>
      ) : (
        <Paper withBorder style={{ overflowX: 'auto' }}>
          <Table verticalSpacing={6} highlightOnHover aria-label={t('title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={72}>{t('columns.order')}</Table.Th>
                <Table.Th w={36}>
                  <Checkbox
                    aria-label={t('common:table.selectPage')}
                    checked={allSelected}
                    indeterminate={!allSelected && selected.size > 0}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((w) => w.id)))}
                  />
                </Table.Th>
                <Table.Th miw={200}>{t('columns.world')}</Table.Th>
                <Table.Th w={190}>{t('columns.status')}</Table.Th>
                <Table.Th w={130}>{t('columns.players')}</Table.Th>
                <Table.Th miw={160}>{t('columns.tags')}</Table.Th>
                <Table.Th w={140}>{t('columns.region')}</Table.Th>
                <Table.Th w={220}>{t('columns.window')}</Table.Th>
                <Table.Th w={80}>{t('columns.visible')}</Table.Th>
                <Table.Th w={60}>
                  <VisuallyHidden>{t('columns.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.isLoading
                ? Array.from({ length: 4 }, (_, i) => (
                    <Table.Tr key={i}>
                      <Table.Td colSpan={10}>
                        <Skeleton height={22} />
                      </Table.Td>
                    </Table.Tr>
                  ))
                : rows.map((w, i) => (
                    <Table.Tr
                      key={w.id}
                      data-testid={`world-row-${w.worldId}`}
                      draggable={canReorder}
                      onDragStart={() => setDragFrom(i)}
                      onDragOver={(e) => canReorder && e.preventDefault()}
                      onDrop={(e) => onDrop(e, i)}
                      bg={selected.has(w.id) ? 'var(--mantine-primary-color-light)' : undefined}
                    >
                      <Table.Td>
                        <Group gap={0} wrap="nowrap">
                          <IconGripVertical size={16} opacity={canReorder ? 0.6 : 0.2} style={{ cursor: canReorder ? 'grab' : 'default' }} aria-hidden />
                          <Tooltip label={filtered ? t('order.filtered') : t('order.up')} disabled={!filtered && canWrite}>
                            <ActionIcon variant="subtle" size="sm" color="gray" aria-label={t('order.upOf', { worldId: w.worldId })} disabled={!canReorder || i === 0} onClick={() => void saveOrder(moveBy(rows.map((r) => r.id), w.id, -1))}>
                              <IconArrowUp size={14} />
                            </ActionIcon>
                          </Tooltip>
                          <ActionIcon variant="subtle" size="sm" color="gray" aria-label={t('order.downOf', { worldId: w.worldId })} disabled={!canReorder || i === rows.length - 1} onClick={() => void saveOrder(moveBy(rows.map((r) => r.id), w.id, 1))}>
                            <IconArrowDown size={14} />
                          </ActionIcon>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Checkbox aria-label={t('bulk.select', { worldId: w.worldId })} checked={selected.has(w.id)} onChange={() => toggle(w.id)} />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to="/worlds/$id" params={{ id: String(w.id) } as never} ff="monospace" size="sm" fw={600} style={{ whiteSpace: 'nowrap' }}>
                          {w.worldId}
                        </Anchor>
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {w.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <WorldStatusBadges world={w} />
                      </Table.Td>
                      <Table.Td>
                        <LivePlayers worldId={w.worldId} live={w.live} />
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          {w.tags.map((tag) => (
                            <Badge key={tag} variant="default" size="sm" tt="none" style={{ flexShrink: 0 }}>
                              {tag}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
                          {w.region ?? '—'}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {worldPhase(w) !== 'off' && (w.maintenanceStartsAt || w.maintenanceEndsAt) ? (
                          <Text size="xs" component="div">
                            <div>
                              {t('window.from')} <Timestamp value={w.maintenanceStartsAt} withSeconds={false} />
                            </div>
                            <div>
                              {t('window.until')} <Timestamp value={w.maintenanceEndsAt} withSeconds={false} />
                            </div>
                          </Text>
                        ) : (
                          <Text size="sm" c="dimmed">
                            —
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Guarded permission="ops.write">
                          <Switch aria-label={t('visibility.label', { worldId: w.worldId })} checked={w.visible} onChange={(e) => void setVisible(w, e.currentTarget.checked)} />
                        </Guarded>
                      </Table.Td>
                      <Table.Td>
                        <Menu position="bottom-end" withinPortal>
                          <Menu.Target>
                            <ActionIcon variant="subtle" color="gray" aria-label={t('actions.of', { worldId: w.worldId })}>
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item leftSection={<IconTool size={14} />} onClick={() => setSearch({ maintain: w.id }, { keepPage: true })}>
                              {t('actions.maintenance')}
                            </Menu.Item>
                            <Menu.Item onClick={() => void navigate({ to: '/worlds/$id', params: { id: String(w.id) } })}>{t('actions.edit')}</Menu.Item>
                            <Menu.Divider />
                            <Menu.Item color="red" leftSection={<IconTrash size={14} />} disabled={!canWrite} onClick={() => void remove(w)}>
                              {t('actions.delete')}
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </Table.Td>
                    </Table.Tr>
                  ))}
            </Table.Tbody>
          </Table>
          {!list.isLoading && rows.length === 0 ? (
            <Stack align="center" gap={6} py="xl">
              <Text c="dimmed" size="sm">
                {filtered ? t('empty.filtered') : t('empty.none')}
              </Text>
              {!filtered ? (
                <Guarded permission="ops.write">
                  <Button variant="light" size="xs" onClick={() => setSearch({ create: true }, { keepPage: true })}>
                    {t('create.button')}
                  </Button>
                </Guarded>
              ) : null}
            </Stack>
          ) : null}
          <Text size="xs" c="dimmed" px="sm" py={6} style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}>
            {t('count', { count: rows.length })} · {canReorder ? t('order.hint') : filtered ? t('order.filtered') : t('order.readOnly')}
          </Text>
        </Paper>
      )}

      <Drawer opened={Boolean(search.create)} onClose={() => setSearch({ create: undefined }, { keepPage: true })} position="right" size="lg" title={<Text fw={600}>{t('create.title')}</Text>}>
        <WorldForm
          draftKey="worlds.create"
          submitLabel={t('create.submit')}
          onCancel={() => setSearch({ create: undefined }, { keepPage: true })}
          onSubmit={async (body) => {
            const created = await createGameWorld(body);
            await refresh();
            notify({ color: 'teal', message: t('create.done', { worldId: created.worldId }) });
          }}
          onDone={closeCreate}
        />
      </Drawer>

      <Drawer opened={Boolean(search.maintain)} onClose={() => setSearch({ maintain: undefined }, { keepPage: true })} position="right" size="xl" title={<Text fw={600}>{t('maintenance.title', { worldId: maintained?.worldId ?? '' })}</Text>}>
        {maintained ? <WorldMaintenancePanel world={maintained} onDone={() => setSearch({ maintain: undefined }, { keepPage: true })} /> : <Skeleton height={200} />}
      </Drawer>

      <Drawer opened={bulkIds.length > 0} onClose={() => setSearch({ bulk: undefined }, { keepPage: true })} position="right" size="xl" title={<Text fw={600}>{t('bulk.title', { count: bulkIds.length })}</Text>}>
        {all.data ? <BulkMaintenance worlds={bulkWorlds} onClose={() => setSearch({ bulk: undefined }, { keepPage: true })} /> : <Skeleton height={200} />}
      </Drawer>
    </Stack>
  );
}
