import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

/** Placeholder: replace this folder's contents (and src/i18n/{en,ko}/audit.json) with the screen. */
export default function AuditLogScreen() {
  return <NotBuiltYet ns="audit" />;
}
