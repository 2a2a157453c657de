import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/users.json) with the screen. */
export default function UsersScreen() {
  return <NotBuiltYet ns="users" />;
}
