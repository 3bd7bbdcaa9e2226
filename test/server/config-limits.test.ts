/**
 * The sync limits are parsed once from the environment, with the documented defaults.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../server/config.js'

describe('sync limits configuration', () => {
  it('has the defaults the README documents', () => {
    const { maxMessageBytes, limits } = parseConfig({})
    expect(maxMessageBytes).toBe(8 * 1024 * 1024)
    expect(limits).toEqual({
      maxCustomerMessageBytes: 1024 * 1024,
      maxSpecBytes: 4 * 1024 * 1024,
      maxUpdateStructs: 20_000,
      maxPresenceStateBytes: 64 * 1024,
      maxPresenceIdsPerConnection: 2,
      updatesPerSecond: 50,
      presencePerSecond: 30,
      bytesPerSecond: 64 * 1024,
      maxConnectionsPerIp: 64,
      maxConnectionsPerRoom: 200,
      maxOpenRooms: 1000,
      maxBufferedBytes: 8 * 1024 * 1024
    })
  })

  it('reads every limit from its variable and refuses invalid ones by name', () => {
    const { limits } = parseConfig({ MAX_CONNECTIONS_PER_IP: '5', MAX_UPDATES_PER_SECOND: '12.5', MAX_SPEC_BYTES: '65536', MAX_BUFFERED_BYTES: '65536' })
    expect(limits).toMatchObject({ maxConnectionsPerIp: 5, updatesPerSecond: 12.5, maxSpecBytes: 65_536, maxBufferedBytes: 65_536 })
    expect(() => parseConfig({ MAX_OPEN_ROOMS: '0' })).toThrow(/MAX_OPEN_ROOMS/)
    expect(() => parseConfig({ MAX_PRESENCE_IDS_PER_CONNECTION: 'two' })).toThrow(ConfigError)
    // A mark below the spec size would close every new client receiving the whole spec.
    expect(() => parseConfig({ MAX_SPEC_BYTES: String(16 * 1024 * 1024) })).toThrow(/MAX_BUFFERED_BYTES/)
  })
})
