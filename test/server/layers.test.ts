/**
 * Layering rules (issue 8, item 7) that an import added in passing would break without any
 * other test noticing:
 * - storage keeps attribution facts as opaque bytes: server/storage imports nothing from
 *   server/attribution (the fold is passed in) nor from the sync layer above it;
 * - a room talks to its members through the Peer interface (server/sync/peer.ts), never to the
 *   Connection class, so a member can be something other than one local socket.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')

/** Relative imports of `file` (a .ts source), resolved to repository paths. */
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(root, file), 'utf8')
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g
  return [...source.matchAll(pattern)].map((m) => path.relative(root, path.resolve(path.dirname(path.join(root, file)), m[1] ?? m[2]!)))
}

const sources = (dir: string): string[] =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`)

describe('layers', () => {
  it('server/storage imports neither attribution nor sync', () => {
    const files = sources('server/storage')
    expect(files.length).toBeGreaterThan(3)
    const bad = files.flatMap((f) => importsOf(f).filter((i) => /^server\/(attribution|sync)\//.test(i)).map((i) => `${f} -> ${i}`))
    expect(bad).toEqual([])
  })

  it('the room and what it uses know members only as Peer', () => {
    for (const file of ['server/sync/room.ts', 'server/sync/origin.ts', 'server/sync/peer.ts', 'server/sync/presence.ts']) {
      expect(importsOf(file), file).not.toContain('server/sync/connection.js')
    }
    // Positive control: the pattern does see relative imports.
    expect(importsOf('server/sync/room.ts')).toContain('server/sync/peer.js')
  })
})
