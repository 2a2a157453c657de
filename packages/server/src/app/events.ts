/**
 * Every feature's events, registered into the event catalog (src/events/catalog.ts). Whatever reads the catalog
 * — the app (build-app.ts), its services, the CLI, the SDK generator, tests — imports this file first; the order
 * here is the catalog's order (GET /api/v1/event-types, the SDK's EVENT_CATALOG).
 */
import '../modules/users/events.ts';
import '../modules/game-worlds/events.ts';
import '../modules/maintenance/events.ts';
import '../modules/client-versions/events.ts';
import '../modules/whitelist/events.ts';
import '../modules/notices/events.ts';
import '../modules/webhooks/events.ts';
