/**
 * Structured logging with pino. One root logger per service; modules take child loggers.
 */
import { pino, type Logger } from 'pino'

export type { Logger }

/**
 * Creates the root logger. Query strings are cut from logged URLs elsewhere, and the `token`
 * fields are redacted here, so credentials never reach the log.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'valence' },
    redact: { paths: ['token', '*.token', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' }
  })
}
