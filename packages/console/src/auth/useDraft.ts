import { useCallback, useEffect, useRef, useState } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';

const PREFIX = 'gatrix.draft.';

/**
 * Keeps a react-hook-form form's values in sessionStorage under `key` while it is edited, and restores them when the
 * form mounts again (after a forced re-login, a reload, or navigating away and back in the same tab). Call `clear()`
 * after a successful submit. Never use it for secrets: password fields are not saved (any field named *password*).
 */
export function useDraft<T extends FieldValues>(key: string, form: UseFormReturn<T>): { restored: boolean; clear: () => void } {
  const storageKey = PREFIX + key;
  const [restored, setRestored] = useState(false);
  const cleared = useRef(false);

  useEffect(() => {
    const saved = sessionStorage.getItem(storageKey);
    if (saved) {
      try {
        form.reset({ ...form.getValues(), ...(JSON.parse(saved) as T) }, { keepDefaultValues: true });
        setRestored(true);
      } catch {
        sessionStorage.removeItem(storageKey);
      }
    }
    const sub = form.watch((values) => {
      if (cleared.current) return;
      const safe = Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));
      sessionStorage.setItem(storageKey, JSON.stringify(safe));
    });
    return () => sub.unsubscribe();
  }, [form, storageKey]);

  const clear = useCallback(() => {
    cleared.current = true;
    sessionStorage.removeItem(storageKey);
    queueMicrotask(() => (cleared.current = false));
  }, [storageKey]);

  return { restored, clear };
}
