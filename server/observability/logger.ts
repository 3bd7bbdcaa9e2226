/**
 * Structured logging with pino. One root logger per service; modules take child loggers.
 */
import { pino, type DestinationStream, type Logger } from 'pino'
import { prettyStream } from './pretty-log.js'

export type { Logger }

/**
 * Fields never written to the log: credentials of every kind (tokens, passwords, secrets,
 * cookies, authorization headers), at the top level and one level down. Query strings are cut
 * from logged URLs elsewhere.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'passwordHash',
  '*.passwordHash',
  'secret',
  '*.secret',
  'admin.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body.password',
  'headers.authorization',
  'headers.cookie'
]

/**
 * Creates the root logger: JSON lines on stdout, or on `destination` (tests); with `pretty`,
 * readable lines for a person at a terminal (pretty-log.ts).
 */
export function createLogger(level: string, destination?: DestinationStream, pretty = false): Logger {
  const options = { level, base: { service: 'valence' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }
  if (destination) return pino(options, destination)
  return pretty ? pino(options, prettyStream(process.stdout)) : pino(options)
}

/** Whether `format` means readable lines for output going to `stream` (`auto`: when it is a terminal). */
export const wantsPretty = (format: 'auto' | 'pretty' | 'json', stream: { isTTY?: boolean }): boolean =>
  format === 'pretty' || (format === 'auto' && stream.isTTY === true)
