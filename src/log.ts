// Logs go to stderr only (in stdio mode stdout carries MCP). Secrets are redacted by key wherever
// they appear in a logged object.
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const SECRET_KEYS = ['api_key', 'apiKey', 'authorization', 'Authorization', 'bearer', 'token', 'preview_token', 'x-api-key', 'secret', 'password'];

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination({ fd: 2, sync: false })): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k}"]`, `req.headers["${k}"]`]);
  return pino({ level, base: { name: 'nox-campaign-mcp' }, redact: { paths, censor: '[redacted]' } }, destination);
}
