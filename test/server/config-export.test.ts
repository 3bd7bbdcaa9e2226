/**
 * The export settings are parsed once from the environment: the README's defaults, every
 * variable read into `config.export`, and invalid values refused by name.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../server/config.js'

describe('export configuration', () => {
  it('has the defaults the README documents and reads every variable', () => {
    expect(parseConfig({}).export).toEqual({ chromiumPath: '/usr/bin/chromium', concurrency: 2, queueLimit: 20, ttlMs: 3_600_000, browserIdleMs: 60_000 })
    expect(
      parseConfig({ CHROMIUM_PATH: '/opt/chromium', EXPORT_CONCURRENCY: '4', EXPORT_QUEUE_LIMIT: '0', EXPORT_TTL_MS: '5000', EXPORT_BROWSER_IDLE_MS: '10000' }).export
    ).toEqual({ chromiumPath: '/opt/chromium', concurrency: 4, queueLimit: 0, ttlMs: 5_000, browserIdleMs: 10_000 })
  })

  it('refuses invalid values by name', () => {
    for (const [name, value] of [
      ['EXPORT_CONCURRENCY', '0'],
      ['EXPORT_CONCURRENCY', '17'],
      ['EXPORT_QUEUE_LIMIT', '-1'],
      ['EXPORT_TTL_MS', '10'],
      ['EXPORT_BROWSER_IDLE_MS', '999'],
      ['EXPORT_BROWSER_IDLE_MS', 'a minute']
    ] as const) {
      expect(() => parseConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError)
      expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name))
    }
  })
})
