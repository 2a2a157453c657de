import { useBlocker } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/**
 * While `isDirty`, asks before leaving: in-app navigation (router blocker, a confirm dialog) and closing or reloading
 * the tab (the browser's beforeunload prompt). With `samePage`, changes of the URL's search only (a tab, a filter of
 * the same screen, which keeps the edited state mounted) are not asked about.
 */
export function useUnsavedChangesGuard(isDirty: boolean, options: { samePage?: boolean } = {}): void {
  const { t } = useTranslation('common');
  useBlocker({
    shouldBlockFn: ({ current, next }) => isDirty && !(options.samePage && current.pathname === next.pathname) && !window.confirm(t('unsaved.leave')),
    enableBeforeUnload: () => isDirty,
  });
}
