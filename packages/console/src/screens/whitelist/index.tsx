import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/whitelist.json) with the screen. */
export default function WhitelistScreen() {
  return <NotBuiltYet ns="whitelist" />;
}
