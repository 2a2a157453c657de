import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/webhooks.json) with the screen. */
export default function WebhooksScreen() {
  return <NotBuiltYet ns="webhooks" />;
}
