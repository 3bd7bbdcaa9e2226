/**
 * Structured logging with pino. One root logger per service; modules take child loggers.
 */
import { pino, type DestinationStream, type Logger } from 'pino'

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

/** Creates the root logger (stdout unless a `destination` is given, e.g. by tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'valence' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}
