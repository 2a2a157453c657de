/**
 * The pure rules of the game-client answers, shared by the Gatrix server and the SDK's server cache so both
 * give the same answer (docs/decisions/0007-shared-rules.md).
 */
export * from './ip.js';
export * from './messages.js';
export * from './resolve.js';
export * from './version.js';
export * from './whitelist.js';
export * from './maintenance.js';
export * from './notices.js';
