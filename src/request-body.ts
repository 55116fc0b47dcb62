// Reading an HTTP request body under a cap, shared by the MCP listener and the sandbox's REST API.
import type { IncomingMessage } from 'node:http';

/** The body, or 'too_large' as soon as it passes the cap (the rest is drained, not buffered). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      req.off('data', onData);
      req.resume(); // drain without keeping it; the response closes the connection
      resolve('too_large');
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
