import { defineConfig } from 'vitest/config';

// The integration suite runs three times: on the local backend in-process, on the http backend
// against a sandbox on a random loopback port (NOX_TEST_BACKEND=http), and on the cli backend
// against the stand-in CLI (NOX_TEST_BACKEND=cli; see test/helpers/server.ts).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'local', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'http',
          include: ['test/integration/**/*.test.ts'],
          // Backend-specific: they set up their own stubs or sandbox whatever the project.
          exclude: ['test/integration/http-backend-faults.test.ts', 'test/integration/http-backend-files.test.ts', 'test/integration/cli-backend.test.ts'],
          env: { NOX_TEST_BACKEND: 'http' },
        },
      },
      {
        extends: true,
        test: {
          // The cli backend against the stand-in CLI (test/fake-cli): every call is a process.
          name: 'cli',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/http-backend-faults.test.ts', 'test/integration/http-backend-files.test.ts', 'test/integration/cli-backend.test.ts'],
          env: { NOX_TEST_BACKEND: 'cli' },
        },
      },
    ],
  },
});
