/**
 * The email digest settings are parsed once from the environment: no SMTP server by default
 * (nothing is ever sent), the documented sender and hourly interval, and invalid values refused
 * by name.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../server/config.js'

describe('email digest configuration', () => {
  it('sends nothing by default, hourly with a local sender once SMTP_URL is set', () => {
    expect(parseConfig({})).toMatchObject({ smtpUrl: null, mailFrom: 'Valence <valence@localhost>', digestIntervalMs: 3_600_000 })
    expect(parseConfig({ SMTP_URL: 'smtp://mailer:secret@127.0.0.1:2525', MAIL_FROM: 'Acme <specs@acme.example>', DIGEST_INTERVAL_MS: '60000' })).toMatchObject({
      smtpUrl: 'smtp://mailer:secret@127.0.0.1:2525',
      mailFrom: 'Acme <specs@acme.example>',
      digestIntervalMs: 60_000
    })
    // An empty variable means "not set".
    expect(parseConfig({ SMTP_URL: '' }).smtpUrl).toBeNull()
  })

  it('refuses invalid values by name', () => {
    for (const [name, value] of [
      ['SMTP_URL', 'http://127.0.0.1:25'],
      ['SMTP_URL', 'not a url'],
      ['DIGEST_INTERVAL_MS', '10'],
      ['DIGEST_INTERVAL_MS', 'hourly'],
      ['MAIL_FROM', 'x']
    ] as const) {
      expect(() => parseConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError)
      expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name))
    }
  })
})
