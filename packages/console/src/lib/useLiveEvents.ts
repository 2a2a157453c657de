import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { LIVE_PATHS, onLiveEvent, onLiveResync, onLiveStatus, pathsInvalidatedBy, type LiveEvent } from './live.ts';

export interface LiveFilter {
  /** Only these event names (default: all the user may hear). */
  events?: string[];
  /** Also mark these query keys' first element (an API path) stale on every matching event. */
  invalidate?: string[];
}

/**
 * Calls `handler` for each live event (after it committed on the server). The shell already invalidates the cached
 * lists each event concerns (src/lib/live.ts INVALIDATES); screens use this for their own reactions (a feed, a toast).
 */
export function useLiveEvents(handler: (event: LiveEvent) => void, filter: LiveFilter = {}): void {
  const queryClient = useQueryClient();
  const ref = useRef({ handler, filter });
  ref.current = { handler, filter };
  useEffect(
    () =>
      onLiveEvent((event) => {
        const { handler: h, filter: f } = ref.current;
        if (f.events && !f.events.includes(event.name)) return;
        for (const path of f.invalidate ?? []) void queryClient.invalidateQueries({ queryKey: [path] });
        h(event);
      }),
    [queryClient],
  );
}

/**
 * Marks cached API data stale when a live event says it changed, and all of it after a reconnection that missed
 * events: mounted once, in the shell.
 */
export function useLiveInvalidation(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const invalidate = (paths: string[]) => {
      for (const path of paths) {
        void queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && q.queryKey[0].startsWith(path) });
      }
    };
    const offEvents = onLiveEvent((event) => invalidate(pathsInvalidatedBy(event.name)));
    const offResync = onLiveResync(() => invalidate(LIVE_PATHS));
    return () => {
      offEvents();
      offResync();
    };
  }, [queryClient]);
}

/** Whether the live connection is up (header badge). */
export function useLiveStatus(): boolean {
  const [connected, setConnected] = useState(false);
  useEffect(() => onLiveStatus(setConnected), []);
  return connected;
}
