/** The users global-setup creates on the fresh server, one per role, with known passwords (test data only). */
export const USERS = {
  admin: { username: 'admin', email: 'admin@e2e.test', password: 'e2e-admin-Pa55word' },
  operator: { username: 'operator', email: 'operator@e2e.test', password: 'e2e-operator-Pa55word' },
  viewer: { username: 'viewer', email: 'viewer@e2e.test', password: 'e2e-viewer-Pa55word' },
  player: { username: 'player', email: 'player@e2e.test', password: 'e2e-player-Pa55word' },
} as const;

export type Role = keyof typeof USERS;

/** Where global-setup tells the tests (and their workers) which server to use. */
export const BASE_URL_ENV = 'GATRIX_E2E_BASE_URL';
