import { Tooltip } from '@mantine/core';
import { cloneElement, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/useCan.ts';
import type { Permission } from '../lib/permissions.ts';

/**
 * Wraps an action (a Button, an ActionIcon…) that needs `permission`: for users without it the action is disabled and
 * a tooltip says why — `reasonKey` (an i18n key) or "You do not have the <permission> permission".
 *
 *   <Guarded permission="users.write"><Button onClick={…}>Suspend</Button></Guarded>
 */
export function Guarded({ permission, reasonKey, children }: { permission: Permission; reasonKey?: string; children: ReactElement<{ disabled?: boolean }> }) {
  const { t } = useTranslation('common');
  const allowed = useCan(permission);
  if (allowed) return children;
  return (
    <Tooltip label={reasonKey ? t(reasonKey, { permission }) : t('permission.denied', { permission })} withArrow>
      {/* A disabled button gets no pointer events: the span carries the tooltip. */}
      <span style={{ display: 'inline-block' }} data-guarded={permission}>
        {cloneElement(children, { disabled: true })}
      </span>
    </Tooltip>
  );
}
