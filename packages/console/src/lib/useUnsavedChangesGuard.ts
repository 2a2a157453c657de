import { useBlocker } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/**
 * While `isDirty`, asks before leaving: in-app navigation (router blocker, a confirm dialog) and closing or reloading
 * the tab (the browser's beforeunload prompt).
 */
export function useUnsavedChangesGuard(isDirty: boolean): void {
  const { t } = useTranslation('common');
  useBlocker({
    shouldBlockFn: () => isDirty && !window.confirm(t('unsaved.leave')),
    enableBeforeUnload: () => isDirty,
  });
}
