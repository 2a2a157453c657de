import { ActionIcon, Alert, Badge, Box, Button, Code, CopyButton, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconArrowUpRight, IconCheck, IconChevronDown, IconChevronRight, IconCopy, IconPlayerPause, IconPlayerPlay } from '@tabler/icons-react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilterBar, SearchFilter, SelectFilter } from '../../components/FilterBar.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { Timestamp } from '../../components/Timestamp.tsx';
import { useLiveEvents, useLiveStatus } from '../../lib/useLiveEvents.ts';
import type { LiveEvent } from '../../lib/live.ts';
import { add, emptyTail, entityOf, has, insertEarlier, matches, MAX_EVENTS, pause, resume, subjectOf, type Tail, type TailEvent } from './buffer.ts';
import { readHistory } from './history.ts';

const route = getRouteApi('/_app/events');

/** The Socket.IO event names (docs/realtime.md), grouped by prefix for the type filter. */
const EVENT_GROUPS: Record<string, string[]> = {
  user_: ['user_registered', 'user_updated', 'user_deleted', 'user_login'],
  world_: ['world_created', 'world_updated', 'world_deleted', 'world_maintenance_started', 'world_maintenance_ended'],
  maintenance_: ['maintenance_started', 'maintenance_ended'],
  client_version_: ['client_version_created', 'client_version_updated', 'client_version_deleted'],
  whitelist_: ['whitelist_updated'],
  webhook_: ['webhook_disabled'],
};
const COLOR: Record<string, string> = { user_: 'indigo', world_: 'teal', maintenance_: 'red', client_version_: 'grape', whitelist_: 'orange', webhook_: 'cyan' };
const colorOf = (name: string) => Object.entries(COLOR).find(([p]) => name.startsWith(p))?.[1] ?? 'gray';

let seq = 0;
const stamp = (event: LiveEvent): TailEvent => ({ ...event, seq: ++seq, receivedAt: Date.now() });

/**
 * The tail's history from the event feed: the latest events when the screen opens, and, each time the socket
 * comes back after a drop, what it missed since the last event received (`lastId`).
 */
function useHistory(connected: boolean, lastId: { current: string | undefined }, setTail: (update: (prev: Tail) => Tail) => void): unknown {
  const [error, setError] = useState<unknown>(null);
  const [epoch, setEpoch] = useState(0);
  const link = useRef<'never' | 'up' | 'down'>('never');
  useEffect(() => {
    // A reconnection after a drop (not the first connection): catch up from the last event received.
    if (connected && link.current === 'down') setEpoch((n) => n + 1);
    if (connected) link.current = 'up';
    else if (link.current === 'up') link.current = 'down';
  }, [connected]);
  useEffect(() => {
    const ac = new AbortController();
    readHistory(epoch === 0 ? undefined : lastId.current, ac.signal)
      .then((events) => {
        setError(null);
        setTail((prev) => insertEarlier(prev, events.map(stamp)));
        const last = events.at(-1)?.data.eventId;
        if (last && epoch === 0 && lastId.current === undefined) lastId.current = last;
      })
      .catch((err: unknown) => {
        if (!ac.signal.aborted) setError(err);
      });
    return () => ac.abort();
  }, [epoch, lastId, setTail]);
  return error;
}

/** /events: the live event stream, filtered, paused while the operator scrolls, each event expandable and linked. */
export default function LiveEventsScreen() {
  const { t } = useTranslation('events');
  const search = route.useSearch();
  const connected = useLiveStatus();
  const [tail, setTail] = useState<Tail>(emptyTail);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const scrollRef = useRef<HTMLDivElement>(null);

  const lastId = useRef<string | undefined>(undefined);
  useLiveEvents((event) => {
    lastId.current = event.data.eventId ?? lastId.current;
    // An event the history has brought already (or the other way round) is shown once.
    setTail((prev) => (has(prev, event.data.eventId) ? prev : add(prev, stamp(event))));
  });
  const historyError = useHistory(connected, lastId, setTail);

  const filter = useMemo(() => ({ type: search.type, world: search.world, user: search.user }), [search.type, search.world, search.user]);
  const shown = useMemo(() => tail.shown.filter((e) => matches(e, filter)), [tail.shown, filter]);
  const heldCount = useMemo(() => tail.held.filter((e) => matches(e, filter)).length, [tail.held, filter]);

  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => 44, overscan: 10, getItemKey: (i) => shown[i]?.seq ?? i });

  // Set while the list scrolls back to the top on resume: that scrolling is not the operator's.
  const returning = useRef(false);
  const onResume = useCallback(() => {
    returning.current = true;
    setTail(resume);
    scrollRef.current?.scrollTo({ top: 0, behavior: 'instant' });
  }, []);
  const onScroll = () => {
    const top = scrollRef.current?.scrollTop ?? 0;
    if (returning.current) {
      if (top <= 8) returning.current = false;
      return;
    }
    // Reading older events: hold new ones back so the rows do not move under the operator's eyes.
    if (top > 8) setTail((prev) => (prev.paused ? prev : pause(prev)));
  };
  const toggle = (s: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (!next.delete(s)) next.add(s);
      return next;
    });

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2}>{t('title')}</Title>
          <Badge color={connected ? 'teal' : 'gray'} variant="dot">
            {connected ? t('connected') : t('disconnected')}
          </Badge>
        </Group>
        <Text size="sm" c="dimmed">
          {t('buffer', { count: tail.shown.length + tail.held.length, max: MAX_EVENTS.toLocaleString() })}
        </Text>
      </Group>
      <FilterBar names={['type', 'world', 'user']}>
        <SelectFilter
          name="type"
          label={t('filters.type')}
          searchable
          w={260}
          data={Object.entries(EVENT_GROUPS).map(([prefix, names]) => ({ group: prefix.slice(0, -1), items: [{ value: `${prefix}*`, label: t('filters.all', { prefix: `${prefix}*` }) }, ...names] }))}
        />
        <SearchFilter name="world" label={t('filters.world')} placeholder={t('filters.worldPlaceholder')} w={180} />
        <SearchFilter name="user" label={t('filters.user')} placeholder={t('filters.userPlaceholder')} w={180} />
      </FilterBar>
      {historyError ? <ProblemAlert error={historyError} title={t('historyFailed')} /> : null}
      <Group justify="space-between" mih={36}>
        {tail.paused ? (
          <Alert color="yellow" py={6} px="sm" icon={<IconPlayerPause size={16} />} role="status" aria-live="polite">
            <Group gap="sm">
              <Text size="sm" fw={600} data-testid="paused">
                {t('paused', { count: heldCount })}
              </Text>
              <Button size="compact-sm" leftSection={<IconPlayerPlay size={14} />} onClick={onResume}>
                {t('resume')}
              </Button>
            </Group>
          </Alert>
        ) : (
          <Button size="compact-sm" variant="default" leftSection={<IconPlayerPause size={14} />} onClick={() => setTail(pause)}>
            {t('pause')}
          </Button>
        )}
        <Text size="xs" c="dimmed">
          {t('hint')}
        </Text>
      </Group>
      <Paper withBorder radius="md">
        <Box ref={scrollRef} onScroll={onScroll} h="calc(100vh - 280px)" mih={360} style={{ overflowY: 'auto', overflowAnchor: 'none' }} role="log" aria-label={t('title')} tabIndex={0}>
          {shown.length === 0 ? (
            <Stack align="center" justify="center" h="100%" gap={4} p="xl">
              <Text fw={600}>{t('empty.title')}</Text>
              <Text size="sm" c="dimmed" ta="center">
                {t(tail.shown.length > 0 ? 'empty.filtered' : 'empty.body')}
              </Text>
            </Stack>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((item) => {
                const e = shown[item.index]!;
                return (
                  <div key={item.key} ref={virtualizer.measureElement} data-index={item.index} style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}>
                    <EventRow event={e} expanded={open.has(e.seq)} onToggle={() => toggle(e.seq)} />
                  </div>
                );
              })}
            </div>
          )}
        </Box>
      </Paper>
    </Stack>
  );
}

function EventRow({ event: e, expanded, onToggle }: { event: TailEvent; expanded: boolean; onToggle: () => void }) {
  const { t } = useTranslation('events');
  const json = useMemo(() => JSON.stringify({ event: e.name, data: e.data }, null, 2), [e]);
  const entity = entityOf(e);
  return (
    <Box px="sm" py={6} style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }} data-event={e.name}>
      <Group gap="sm" wrap="nowrap">
        <ActionIcon variant="subtle" color="gray" onClick={onToggle} aria-expanded={expanded} aria-label={t(expanded ? 'collapse' : 'expand')}>
          {expanded ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
        </ActionIcon>
        <Text size="sm" c="dimmed" w={240} style={{ flexShrink: 0 }}>
          <Timestamp value={e.data.timestamp ?? e.receivedAt} />
        </Text>
        <Box w={230} style={{ flexShrink: 0 }}>
          <Badge color={colorOf(e.name)} variant="dot" tt="none">
            {e.name}
          </Badge>
        </Box>
        <Text size="sm" truncate style={{ flex: 1, minWidth: 0 }}>
          {subjectOf(e)}
        </Text>
        <CopyButton value={json}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? t('copied') : t('copy')} withArrow>
              <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={copied ? t('copied') : t('copy')}>
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
        {entity ? (
          <Tooltip label={t('open')} withArrow>
            <ActionIcon variant="subtle" component={Link} to={entity.id ? entity.to.replace('$id', encodeURIComponent(entity.id)) : entity.to} aria-label={t('open')}>
              <IconArrowUpRight size={16} />
            </ActionIcon>
          </Tooltip>
        ) : (
          <Box w={28} />
        )}
      </Group>
      {expanded ? (
        <Code block mt={6} ml={40} style={{ maxHeight: 320, overflow: 'auto' }} tabIndex={0}>
          {json}
        </Code>
      ) : null}
    </Box>
  );
}
