import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';

/**
 * Marks cached API answers stale after a write, by request path prefix (query keys start with the path):
 * `const refresh = useInvalidatePaths(); … onSuccess: () => refresh('/api/v1/whitelist')`. Live events do the same
 * for other operators' writes (live.ts); this makes one's own save show at once.
 */
export function useInvalidatePaths(): (...paths: string[]) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (...paths: string[]) => {
      void queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && paths.some((p) => (q.queryKey[0] as string).startsWith(p)) });
    },
    [queryClient],
  );
}
