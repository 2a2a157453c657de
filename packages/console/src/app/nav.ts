/** The navbar and the ⌘K screen list: one entry per screen, in navbar order. */
import {
  IconActivity,
  IconChartLine,
  IconDeviceGamepad2,
  IconHistory,
  IconKey,
  IconLayoutDashboard,
  IconListCheck,
  IconSpeakerphone,
  IconSettings,
  IconTool,
  IconUsers,
  IconVersions,
  IconWebhook,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import type { Permission } from '../lib/permissions.ts';

export interface NavItem {
  to: '/' | '/events' | '/users' | '/worlds' | '/maintenance' | '/whitelist' | '/client-versions' | '/notices' | '/api-keys' | '/webhooks' | '/audit' | '/monitoring' | '/settings';
  /** nav:<key> */
  labelKey: string;
  icon: ComponentType<{ size?: number | string; stroke?: number }>;
  /** Shown to users who have it (the screen's main read permission). */
  permission: Permission;
}

export const NAV: NavItem[] = [
  { to: '/', labelKey: 'dashboard', icon: IconLayoutDashboard, permission: 'ops.read' },
  { to: '/events', labelKey: 'events', icon: IconActivity, permission: 'self' },
  { to: '/users', labelKey: 'users', icon: IconUsers, permission: 'users.read' },
  { to: '/worlds', labelKey: 'worlds', icon: IconDeviceGamepad2, permission: 'ops.read' },
  { to: '/maintenance', labelKey: 'maintenance', icon: IconTool, permission: 'ops.read' },
  { to: '/whitelist', labelKey: 'whitelist', icon: IconListCheck, permission: 'ops.read' },
  { to: '/client-versions', labelKey: 'clientVersions', icon: IconVersions, permission: 'ops.read' },
  { to: '/notices', labelKey: 'notices', icon: IconSpeakerphone, permission: 'ops.read' },
  { to: '/api-keys', labelKey: 'apiKeys', icon: IconKey, permission: 'apiKeys.read' },
  { to: '/webhooks', labelKey: 'webhooks', icon: IconWebhook, permission: 'webhooks.read' },
  { to: '/audit', labelKey: 'audit', icon: IconHistory, permission: 'audit.read' },
  { to: '/monitoring', labelKey: 'monitoring', icon: IconChartLine, permission: 'monitoring.read' },
  { to: '/settings', labelKey: 'settings', icon: IconSettings, permission: 'self' },
];
