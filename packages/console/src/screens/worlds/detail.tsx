import { getRouteApi } from '@tanstack/react-router';
import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

const route = getRouteApi('/_app/worlds/$id');

/** Placeholder: the detail page of one item (route /worlds/$id). */
export default function GameWorldDetailScreen() {
  const { id } = route.useParams();
  return <NotBuiltYet ns="worlds" titleKey="detailTitle" values={{ id }} />;
}
