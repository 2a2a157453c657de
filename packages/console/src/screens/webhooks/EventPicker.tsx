import { Badge, Checkbox, Group, Input, Paper, SimpleGrid, Skeleton, Stack, Text, Tooltip } from '@mantine/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useListEventTypes } from '../../api/generated/webhooks/webhooks.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { ALL, covers, groupEvents, normalise, toggleCategory, toggleEvent } from './events.ts';

/** Picks a webhook's events from the catalog (GET /event-types), one category at a time; the value is the API's list of names and wildcards. */
export function EventPicker({ value, onChange, error, disabled }: { value: string[]; onChange: (v: string[]) => void; error?: string; disabled?: boolean }) {
  const { t } = useTranslation('webhooks');
  const types = useListEventTypes({ query: { staleTime: 600_000 } });
  const catalog = useMemo(() => (types.data?.data ?? []).map((e) => e.event), [types.data]);
  const descriptions = useMemo(() => new Map((types.data?.data ?? []).map((e) => [e.event, e.description])), [types.data]);
  const groups = useMemo(() => groupEvents(catalog), [catalog]);
  const everything = value.includes(ALL);

  if (types.error) return <ProblemAlert error={types.error} />;
  return (
    <Input.Wrapper label={t('form.events')} description={t('form.eventsHint')} error={error} required>
      <Stack gap="xs" mt={6}>
        <Checkbox
          label={<Text size="sm" fw={600}>{t('form.allEvents')}</Text>}
          checked={everything}
          disabled={disabled}
          onChange={(e) => onChange(e.currentTarget.checked ? [ALL] : [])}
        />
        {types.isLoading ? <Skeleton h={160} /> : null}
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="xs">
          {groups.map(({ category, events }) => {
            const ticked = events.filter((e) => covers(value, e)).length;
            return (
              <Paper key={category} withBorder p="xs" data-testid={`event-category-${category}`}>
                <Group justify="space-between" wrap="nowrap" mb={4}>
                  <Checkbox
                    label={<Text size="sm" fw={600}>{t('form.category', { category })}</Text>}
                    checked={ticked === events.length}
                    indeterminate={ticked > 0 && ticked < events.length}
                    disabled={disabled}
                    onChange={() => onChange(toggleCategory(value, category, catalog))}
                  />
                  <Badge size="xs" variant="light" color="gray">
                    {ticked}/{events.length}
                  </Badge>
                </Group>
                <Stack gap={4} pl="lg">
                  {events.map((e) => (
                    <Tooltip key={e} label={descriptions.get(e)} openDelay={500} multiline w={260}>
                      <Checkbox size="xs" label={e} checked={covers(value, e)} disabled={disabled} onChange={() => onChange(toggleEvent(value, e, catalog))} />
                    </Tooltip>
                  ))}
                </Stack>
              </Paper>
            );
          })}
        </SimpleGrid>
        {value.length > 0 ? (
          <Text size="xs" c="dimmed">
            {t('form.subscribed', { list: normalise(value, catalog).join(', ') })}
          </Text>
        ) : null}
      </Stack>
    </Input.Wrapper>
  );
}
