import { getRouteApi } from '@tanstack/react-router';
import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

const route = getRouteApi('/_app/users/$id');

/** Placeholder: the detail page of one item (route /users/$id). */
export default function UserDetailScreen() {
  const { id } = route.useParams();
  return <NotBuiltYet ns="users" titleKey="detailTitle" values={{ id }} />;
}
