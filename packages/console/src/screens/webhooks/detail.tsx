import { getRouteApi } from '@tanstack/react-router';
import { NotBuiltYet } from '../../components/NotBuiltYet.tsx';

const route = getRouteApi('/_app/webhooks/$id');

/** Placeholder: the detail page of one item (route /webhooks/$id). */
export default function WebhookDetailScreen() {
  const { id } = route.useParams();
  return <NotBuiltYet ns="webhooks" titleKey="detailTitle" values={{ id }} />;
}
