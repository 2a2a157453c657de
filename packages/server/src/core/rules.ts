/**
 * The pure rules of the game-client answers (version order, IP rules and the whitelist matcher, message
 * languages, the client-version resolution). They live in the Node SDK's source, which ships them to game servers
 * for its server cache, so the server and the cache answer from one code (docs/decisions/0007-shared-rules.md).
 */
export * from '../../../sdk-node/src/rules/index.ts';
