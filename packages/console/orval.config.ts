import { defineConfig } from 'orval';

/**
 * The typed API client: types and TanStack Query hooks for every operation of the server's OpenAPI document
 * (packages/sdk-node/openapi.json, written from the server by `npm run generate:sdk`). Regenerate with
 * `npm run generate -w @gatrix/console`; the output under src/api/generated/ is committed.
 */
/** Where the client is written; test/generated.test.ts writes a fresh one elsewhere to compare. */
const OUT = process.env.GATRIX_CONSOLE_CLIENT_DIR ?? 'src/api/generated';

export default defineConfig({
  gatrix: {
    input: { target: '../sdk-node/openapi.json' },
    output: {
      mode: 'tags-split',
      target: `${OUT}/endpoints.ts`,
      schemas: `${OUT}/model`,
      client: 'react-query',
      // The mutator receives { url, method, params, data, headers, signal } and returns the success body (no axios).
      httpClient: 'axios',
      clean: true,
      override: {
        mutator: { path: 'src/api/fetcher.ts', name: 'apiFetch' },
        query: { signal: true },
      },
    },
  },
});
