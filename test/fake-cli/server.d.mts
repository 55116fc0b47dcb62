// Types of server.mjs, for the tests' helper that serves the stand-in from inside the test process.
export interface Served {
  close(): Promise<void>;
}

export function serve(home: string, opts?: { modules?: Record<string, unknown>; now?: () => Date; onStop?: () => void }): Promise<Served>;
