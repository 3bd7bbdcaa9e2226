/**
 * The log a person sees at a terminal: readable lines (not JSON), the first-run setup link alone
 * on its own line, and credentials still redacted; JSON when the output is not a terminal.
 */
import { PassThrough } from 'node:stream'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { REDACT_PATHS, wantsPretty } from '../../server/observability/logger.js'
import { prettyStream } from '../../server/observability/pretty-log.js'

/** Everything a pretty logger at `info` writes while `write` runs. */
function prettyOutput(write: (log: pino.Logger) => void): string {
  const out = new PassThrough()
  const chunks: string[] = []
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')))
  const log = pino({ level: 'info', base: { service: 'valence' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, prettyStream(out, false))
  write(log)
  return chunks.join('')
}

describe('terminal log', () => {
  it('prints readable lines with the setup link on a line of its own', () => {
    const link = 'http://127.0.0.1:3000/setup?token=abc123'
    const text = prettyOutput((log) => {
      log.info({ url: 'http://127.0.0.1:3000' }, 'valence listening')
      log.info({ link }, 'first run: open this link to create the first facilitator')
    })
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: valence listening/)
    expect(lines[0]).toContain('{"url":"http://127.0.0.1:3000"}')
    expect(text).not.toContain('"level"')
    // The link alone on its line (indented, nothing else), exactly once.
    expect(lines.filter((l) => l.includes(link))).toEqual([`    ${link}`])
    expect(text).not.toContain('pid')
  })

  it('still redacts credentials', () => {
    const text = prettyOutput((log) => log.info({ password: 'hunter2', req: { headers: { cookie: 'sid=secret' } } }, 'sign-in'))
    expect(text).toContain('sign-in')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('sid=secret')
  })

  it('is chosen for a terminal, JSON otherwise', () => {
    expect(wantsPretty('auto', { isTTY: true })).toBe(true)
    expect(wantsPretty('auto', { isTTY: undefined })).toBe(false)
    expect(wantsPretty('json', { isTTY: true })).toBe(false)
    expect(wantsPretty('pretty', {})).toBe(true)
  })
})
