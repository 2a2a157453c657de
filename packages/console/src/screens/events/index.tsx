import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/events.json) with the screen. */
export default function LiveEventsScreen() {
  return <NotBuiltYet ns="events" />;
}
