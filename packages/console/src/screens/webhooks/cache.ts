import type { QueryClient } from '@tanstack/react-query';

/** After a webhook write: every cached webhook answer (lists, health, deliveries, delivery details) is stale. */
export function invalidateWebhooks(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && q.queryKey[0].startsWith('/api/v1/webhook') });
}
