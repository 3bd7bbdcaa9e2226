/**
 * Recorded merges in the attribution engine (engine option `resolve`, `refold`) and the alias
 * map behind them (server/identity/aliases.ts): once B is merged into A, every character B wrote
 * or moved and every clientID B bound count as A's, in a live engine at once and in one loaded
 * from the stored facts, which keep naming B.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { decodeFacts } from '../../server/attribution/index.js'
import { ParticipantAliases } from '../../server/identity/aliases.js'
import type { MergeRecord } from '../../server/identity/identity-store.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { Client, Server, posOf } from './harness.js'

/** Who wrote each block's characters: [excerpt, participant ids]. */
const credit = (server: Server): Array<[string, string[]]> =>
  server.attribution().blocks.filter((b) => b.length > 0).map((b) => [b.excerpt, b.contributors.map((c) => c.participantId).sort()])

/** An update appending `text` to the first paragraph, written with `clientID`. */
function writeWith(server: Server, clientID: number, text: string): Uint8Array {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(server.doc))
  // After applying: Yjs picks a new clientID when a remote update carries its own.
  doc.clientID = clientID
  return captureUpdate(doc, () => {
    const para = doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
    const t = para.get(0) as Y.XmlText
    t.insert(t.length, text)
  })
}

const merge = (fromId: string, intoId: string, at: string): MergeRecord => ({ id: `m-${fromId}`, panelId: 'p', fromId, intoId, by: 'team-2', at })

describe('merges in attribution', () => {
  it('a live engine refolds B into A: credit and bindings; a reload from the facts agrees', () => {
    const aliases = new ParticipantAliases()
    const server = new Server({ resolve: (id) => aliases.resolve(id) })
    const a = new Client(server, 'cust-1')
    const b = new Client(server, 'cust-2')
    a.type('First visit words', 3)
    b.type(' and second visit words', { after: 'First visit words' })
    expect(credit(server)).toEqual([['First visit words and second visit words', ['cust-1', 'cust-2']]])
    expect(server.engine.bindings.ownerOf(b.doc.clientID)).toBe('cust-2')
    // B deletes a word of A's: B's recently-deleted index holds it (B is its deleter).
    b.edit((tr, doc) => tr.delete(posOf(doc, 'visit '), posOf(doc, 'visit ') + 'visit '.length))
    const deleters = (): Array<string | null> => server.engine.recent.all(server.now).map((e) => server.engine.authors.idOf(e.deleter))
    expect(deleters()).toEqual(['cust-2'])

    aliases.add(merge('cust-2', 'cust-1', '2026-12-02T10:00:00.000Z'))
    server.engine.refold()
    expect(credit(server)).toEqual([['First words and second visit words', ['cust-1']]])
    expect(server.engine.bindings.ownerOf(b.doc.clientID)).toBe('cust-1')
    // Authors, movers and deleters alike: B is interned nowhere any more.
    expect(deleters()).toEqual(['cust-1'])
    expect(server.engine.authors.participants).not.toContain('cust-2')

    // A writes with B's clientID (B's offline edits, brought in by A): accepted, credited to A.
    server.receive('cust-1', writeWith(server, b.doc.clientID, ' offline'))
    // Someone else cannot.
    expect(() => server.receive('team-1', writeWith(server, b.doc.clientID, ' forged'))).toThrow(/client-bound-to-other/)
    expect(credit(server)).toEqual([['First words and second visit words offline', ['cust-1']]])

    // The stored facts still name B (history); loading them resolves B to A.
    expect(server.log.some((e) => e.facts !== null && decodeFacts(e.facts).bindings.some((x) => x.participantId === 'cust-2'))).toBe(true)
    server.restart()
    expect(credit(server)).toEqual([['First words and second visit words offline', ['cust-1']]])
    expect(server.engine.bindings.ownerOf(b.doc.clientID)).toBe('cust-1')
  })

  it('aliases resolve chains and list every id that resolves to a participant', () => {
    const aliases = new ParticipantAliases()
    const told: string[] = []
    aliases.onMerge((m) => told.push(m.fromId))
    aliases.add(merge('b', 'a', '2026-12-02T10:00:00.000Z'))
    aliases.add(merge('a', 'c', '2026-12-02T11:00:00.000Z'))
    aliases.add(merge('b', 'x', '2026-12-02T12:00:00.000Z')) // merged away once: ignored
    expect(['a', 'b', 'c', 'd'].map((id) => aliases.resolve(id))).toEqual(['c', 'c', 'c', 'd'])
    expect(aliases.idsOf('c').sort()).toEqual(['a', 'b', 'c'])
    expect(aliases.idsOf('b').sort()).toEqual(['a', 'b', 'c'])
    expect(aliases.idsOf('d')).toEqual(['d'])
    expect(aliases.isMergedAway('a')).toBe(true)
    expect(aliases.isMergedAway('c')).toBe(false)
    expect(told).toEqual(['b', 'a'])
    expect(aliases.list().map((m) => m.fromId)).toEqual(['b', 'a'])
  })
})
