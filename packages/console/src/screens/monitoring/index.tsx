import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/monitoring.json) with the screen. */
export default function MonitoringScreen() {
  return <NotBuiltYet ns="monitoring" />;
}
