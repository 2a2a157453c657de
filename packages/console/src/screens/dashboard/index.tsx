import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/dashboard.json) with the screen. */
export default function DashboardScreen() {
  return <NotBuiltYet ns="dashboard" />;
}
