import { defineConfig } from 'vitest/config';

// The integration suite runs twice: on the local backend in-process, and on the http backend
// against a sandbox on a random loopback port (NOX_TEST_BACKEND=http; see test/helpers/server.ts).
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
          exclude: ['test/integration/http-backend-faults.test.ts', 'test/integration/http-backend-files.test.ts'],
          env: { NOX_TEST_BACKEND: 'http' },
        },
      },
    ],
  },
});
