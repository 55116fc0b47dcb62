import { defineConfig } from 'vitest/config';

// The integration suite runs on the local backend in-process and on the http backend against a
// sandbox on a random loopback port (NOX_TEST_BACKEND=http). `npm run test:cli` runs it a third
// time on the cli backend against the stand-in CLI (NOX_TEST_BACKEND=cli; see
// test/helpers/server.ts); `npm test` runs only the cli backend's own tests, because every call
// there spawns a process and the whole suite takes too long for every run.
const cliSuite = process.env.NOX_TEST_CLI_SUITE === '1';

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
      ...(cliSuite
        ? [
            {
              extends: true as const,
              test: {
                // The cli backend against the stand-in CLI (test/fake-cli): every call is a process.
                name: 'cli',
                include: ['test/integration/**/*.test.ts'],
                exclude: ['test/integration/http-backend-faults.test.ts', 'test/integration/http-backend-files.test.ts', 'test/integration/cli-backend.test.ts'],
                env: { NOX_TEST_BACKEND: 'cli' },
              },
            },
          ]
        : []),
    ],
  },
});
