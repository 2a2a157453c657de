import { defineConfig } from 'orval';

/**
 * The typed API client: types and TanStack Query hooks for every operation of the server's OpenAPI document
 * (packages/sdk-node/openapi.json, written from the server by `npm run generate:sdk`). Regenerate with
 * `npm run generate -w @gatrix/console`; the output under src/api/generated/ is committed.
 */
export default defineConfig({
  gatrix: {
    input: { target: '../sdk-node/openapi.json' },
    output: {
      mode: 'tags-split',
      target: 'src/api/generated/endpoints.ts',
      schemas: 'src/api/generated/model',
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
