import { notifications, type NotificationData } from '@mantine/notifications';
import i18n from 'i18next';

/** `notifications.show` with a close button named in the page's language (axe: every button needs a name). */
export function notify(data: NotificationData): string {
  return notifications.show({ ...data, closeButtonProps: { 'aria-label': i18n.t('common:close'), ...data.closeButtonProps } });
}
