import { defineConfig } from 'vitest/config';

// The integration suite runs three times: on the local backend in-process, on the http backend
// against a sandbox on a random loopback port (NOX_TEST_BACKEND=http), and on the cli backend
// against the stand-in CLI (NOX_TEST_BACKEND=cli; see test/helpers/server.ts and test/fake-cli/):
// every CLI call there is a process of its own, served by a stand-in that keeps the engine loaded.
// The backend-specific files set up their own stubs, sandbox or stand-in whatever the project.
const backendSpecific = ['test/integration/http-backend-faults.test.ts', 'test/integration/http-backend-files.test.ts', 'test/integration/cli-backend.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'local', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'http', include: ['test/integration/**/*.test.ts'], exclude: backendSpecific, env: { NOX_TEST_BACKEND: 'http' } } },
      { extends: true, test: { name: 'cli', include: ['test/integration/**/*.test.ts'], exclude: backendSpecific, env: { NOX_TEST_BACKEND: 'cli' } } },
    ],
  },
});
