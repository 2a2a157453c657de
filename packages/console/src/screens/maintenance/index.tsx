import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/maintenance.json) with the screen. */
export default function MaintenanceScreen() {
  return <NotBuiltYet ns="maintenance" />;
}
