import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import { ActionIcon, AppShell, Avatar, Badge, Burger, Group, Kbd, Menu, NavLink, ScrollArea, Text, Title, Tooltip, UnstyledButton, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { ModalsProvider } from '@mantine/modals';
import { Notifications } from '@mantine/notifications';
import { spotlight } from '@mantine/spotlight';
import { IconDeviceDesktop, IconLanguage, IconLogout, IconMoon, IconSearch, IconSettings, IconSun } from '@tabler/icons-react';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { SessionWatcher } from '../auth/SessionWatcher.tsx';
import { logout, useSession } from '../auth/session.ts';
import { LANGUAGES, setLanguage, type Language } from '../i18n/index.ts';
import { roleCan } from '../lib/permissions.ts';
import { useLiveInvalidation, useLiveStatus } from '../lib/useLiveEvents.ts';
import { AppSpotlight } from './AppSpotlight.tsx';
import { NAV } from './nav.ts';

/** The signed-in frame: header (search, live status, language, theme, account), navbar of every screen, the page. */
export function Shell() {
  const { t } = useTranslation(['common', 'nav']);
  const [opened, { toggle, close }] = useDisclosure();
  const { user } = useSession();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  useLiveInvalidation();

  const items = NAV.filter((n) => roleCan(user?.role, n.permission));
  const isActive = (to: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`));

  return (
    <ModalsProvider>
    <Notifications position="top-right" />
    <AppShell header={{ height: 56 }} navbar={{ width: 232, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav:main')} />
            <Link to="/" style={{ color: 'inherit', textDecoration: 'none' }}>
              <Title order={4}>Gatrix</Title>
            </Link>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <UnstyledButton onClick={() => spotlight.open()} aria-label={t('spotlight.open')} data-testid="spotlight-open">
              <Group gap={6} px="sm" py={4} style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }} wrap="nowrap">
                <IconSearch size={16} />
                <Text size="sm" c="dimmed" visibleFrom="sm">
                  {t('filter.search')}
                </Text>
                <Kbd size="xs" visibleFrom="sm">
                  ⌘K
                </Kbd>
              </Group>
            </UnstyledButton>
            <LiveBadge />
            <LanguageMenu />
            <ThemeMenu />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav:main')}>
        <ScrollArea>
          {items.map((n) => (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              label={t(`nav:${n.labelKey}`)}
              leftSection={<n.icon size={18} stroke={1.6} />}
              active={isActive(n.to)}
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <AppSpotlight />
      <SessionWatcher />
    </AppShell>
    </ModalsProvider>
  );
}

function LiveBadge() {
  const { t } = useTranslation('common');
  const connected = useLiveStatus();
  return (
    <Badge variant="dot" color={connected ? 'green' : 'gray'} visibleFrom="sm" data-testid="live-status">
      {connected ? t('live.connected') : t('live.disconnected')}
    </Badge>
  );
}

function LanguageMenu() {
  const { t, i18n } = useTranslation('common');
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Tooltip label={t('language.label')}>
          <ActionIcon variant="default" size="lg" aria-label={t('language.label')}>
            <IconLanguage size={18} />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        {LANGUAGES.map((l: Language) => (
          <Menu.Item key={l} onClick={() => setLanguage(l)} fw={i18n.language === l ? 700 : undefined}>
            {t(`language.${l}`)}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

export function ThemeMenu() {
  const { t } = useTranslation('common');
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const Icon = colorScheme === 'dark' ? IconMoon : colorScheme === 'light' ? IconSun : IconDeviceDesktop;
  return (
    <Menu position="bottom-end">
      <Menu.Target>
        <Tooltip label={t('theme.toggle')}>
          <ActionIcon variant="default" size="lg" aria-label={t('theme.toggle')}>
            <Icon size={18} />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconSun size={16} />} onClick={() => setColorScheme('light')}>
          {t('theme.light')}
        </Menu.Item>
        <Menu.Item leftSection={<IconMoon size={16} />} onClick={() => setColorScheme('dark')}>
          {t('theme.dark')}
        </Menu.Item>
        <Menu.Item leftSection={<IconDeviceDesktop size={16} />} onClick={() => setColorScheme('auto')}>
          {t('theme.system')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function UserMenu() {
  const { t } = useTranslation('common');
  const { user } = useSession();
  const navigate = useNavigate();
  if (!user) return null;
  return (
    <Menu position="bottom-end" width={220}>
      <Menu.Target>
        <UnstyledButton aria-label={t('user.menu')} data-testid="user-menu">
          <Avatar size={32} radius="xl" color="blue">
            {user.username.slice(0, 2).toUpperCase()}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          {user.displayName ?? user.username} · {t('user.role', { role: user.role })}
        </Menu.Label>
        <Menu.Item leftSection={<IconSettings size={16} />} onClick={() => void navigate({ to: '/settings' })}>
          {t('user.settings')}
        </Menu.Item>
        <Menu.Item
          color="red"
          leftSection={<IconLogout size={16} />}
          onClick={() => {
            void logout().then(() => navigate({ to: '/login', search: {} }));
          }}
        >
          {t('user.logout')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
