import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/clientVersions.json) with the screen. */
export default function ClientVersionsScreen() {
  return <NotBuiltYet ns="clientVersions" />;
}
