import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/worlds.json) with the screen. */
export default function GameWorldsScreen() {
  return <NotBuiltYet ns="worlds" />;
}
