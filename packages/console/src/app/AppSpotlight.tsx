import { Badge, Group, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { Spotlight, spotlight } from '@mantine/spotlight';
import { IconDeviceGamepad2, IconSearch, IconUser } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useListGameWorlds } from '../api/generated/game-worlds/game-worlds.ts';
import { useListUsers } from '../api/generated/users/users.ts';
import { useCan } from '../auth/useCan.ts';
import { roleCan } from '../lib/permissions.ts';
import { useSession } from '../auth/session.ts';
import { NAV } from './nav.ts';

/** ⌘K / Ctrl+K: jump to a screen; typing 2+ characters also searches users (`q`) and game worlds and opens the detail. */
export function AppSpotlight() {
  const { t } = useTranslation(['common', 'nav']);
  const navigate = useNavigate();
  const { user } = useSession();
  const [query, setQuery] = useState('');
  const [q] = useDebouncedValue(query.trim(), 250);
  const canUsers = useCan('users.read');
  const canWorlds = useCan('ops.read');
  const search = q.length >= 2;
  const users = useListUsers({ q, limit: 5 }, { query: { enabled: search && canUsers, staleTime: 10_000 } });
  const worlds = useListGameWorlds({ q, limit: 5 }, { query: { enabled: search && canWorlds, staleTime: 10_000 } });

  const needle = query.trim().toLowerCase();
  const screens = NAV.filter((n) => roleCan(user?.role, n.permission)).filter((n) => !needle || t(`nav:${n.labelKey}`).toLowerCase().includes(needle));
  const userRows = search ? (users.data?.data ?? []) : [];
  const worldRows = search ? (worlds.data?.data ?? []) : [];
  const go = (to: string, params?: Record<string, string>) => {
    spotlight.close();
    void navigate({ to, params } as never);
  };

  return (
    <Spotlight.Root query={query} onQueryChange={setQuery} shortcut={['mod + K', '/']} scrollable maxHeight={420}>
      <Spotlight.Search placeholder={t('spotlight.placeholder')} leftSection={<IconSearch size={18} />} />
      <Spotlight.ActionsList>
        {screens.length > 0 ? (
          <Spotlight.ActionsGroup label={t('spotlight.screens')}>
            {screens.map((n) => (
              <Spotlight.Action key={n.to} label={t(`nav:${n.labelKey}`)} leftSection={<n.icon size={18} />} onClick={() => go(n.to)} />
            ))}
          </Spotlight.ActionsGroup>
        ) : null}
        {userRows.length > 0 ? (
          <Spotlight.ActionsGroup label={t('spotlight.users')}>
            {userRows.map((u) => (
              <Spotlight.Action key={`u${u.id}`} onClick={() => go('/users/$id', { id: String(u.id) })} leftSection={<IconUser size={18} />}>
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm">{u.username}</Text>
                  <Text size="xs" c="dimmed">
                    {u.email}
                  </Text>
                  <Badge size="xs" variant="light">
                    {u.role}
                  </Badge>
                </Group>
              </Spotlight.Action>
            ))}
          </Spotlight.ActionsGroup>
        ) : null}
        {worldRows.length > 0 ? (
          <Spotlight.ActionsGroup label={t('spotlight.worlds')}>
            {worldRows.map((w) => (
              <Spotlight.Action key={`w${w.id}`} label={w.name} description={w.worldId} leftSection={<IconDeviceGamepad2 size={18} />} onClick={() => go('/worlds/$id', { id: String(w.id) })} />
            ))}
          </Spotlight.ActionsGroup>
        ) : null}
        {screens.length + userRows.length + worldRows.length === 0 ? <Spotlight.Empty>{t('spotlight.nothing')}</Spotlight.Empty> : null}
      </Spotlight.ActionsList>
    </Spotlight.Root>
  );
}
