import { Group, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A screen's title row: the title (with badges beside it), a dimmed line under it, and the screen's actions on the right. */
export function PageHeader({ title, subtitle, badges, children }: { title: ReactNode; subtitle?: ReactNode; badges?: ReactNode; children?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-end">
      <div>
        <Group gap="sm">
          <Title order={2}>{title}</Title>
          {badges}
        </Group>
        {subtitle ? (
          <Text size="sm" c="dimmed">
            {subtitle}
          </Text>
        ) : null}
      </div>
      {children}
    </Group>
  );
}
