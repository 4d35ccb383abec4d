import { defineConfig } from '@hey-api/openapi-ts';

// The API client is generated from the server's OpenAPI schema (web/openapi.json, written by
// `npm run openapi`, or `make client` / scripts/export-openapi.sh for both steps). Never edit src/client by hand: run `npm run generate`.
// NEXUS_CLIENT_OUT lets scripts/check-openapi-client.sh generate into a temporary folder and
// compare it with the committed client.
export default defineConfig({
  input: './openapi.json',
  output: { path: process.env.NEXUS_CLIENT_OUT ?? './src/client' },
  plugins: [
    // Calls throw an ApiError (see src/api/http.ts) instead of returning { error }.
    { name: '@hey-api/client-fetch', throwOnError: true },
    '@hey-api/typescript',
    { name: '@hey-api/sdk', operations: { strategy: 'flat' } },
  ],
});
