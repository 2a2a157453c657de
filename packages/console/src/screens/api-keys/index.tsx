import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/apiKeys.json) with the screen. */
export default function ApiKeysScreen() {
  return <NotBuiltYet ns="apiKeys" />;
}
