/**
 * Readable log lines for a person at a terminal (`npm start` in a shell): time, level and
 * message on one line, fields after it, and a link someone must open (the first-run setup
 * link, logged with a `link` field) alone on its own line, where it can be seen and copied.
 * Log collectors get JSON instead (logger.ts picks by LOG_FORMAT and whether stdout is a TTY).
 */
import pretty, { type PrettyOptions } from 'pino-pretty'
import type { DestinationStream } from 'pino'

/** Fields every line carries that a person at the terminal does not need. */
const HIDDEN = 'pid,hostname,service,link'

/** Formats one record's message; a `link` goes on a line of its own below it. */
const messageFormat = (log: Record<string, unknown>, messageKey: string): string => {
  const msg = typeof log[messageKey] === 'string' ? log[messageKey] : ''
  return typeof log.link === 'string' ? `${msg}\n\n    ${log.link}\n` : msg
}

/** pino-pretty options for {@link prettyStream} (exported for tests). */
export const PRETTY_OPTIONS: PrettyOptions = {
  translateTime: 'SYS:HH:MM:ss',
  ignore: HIDDEN,
  singleLine: true,
  messageFormat
}

/** A synchronous pretty-printing stream writing to `out`. */
export function prettyStream(out: NodeJS.WritableStream, colorize = true): DestinationStream {
  return pretty({ ...PRETTY_OPTIONS, colorize, destination: out, sync: true })
}
