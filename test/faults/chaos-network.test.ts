/**
 * A rough network between real providers and the real server (SQLite, real auth): a seeded
 * proxy (test/helpers/chaos-proxy.ts) delays every message, so updates and broadcasts arrive in
 * a different order at every client, and cuts connections mid-stream, losing what was in
 * flight. Clients also go offline and back at will, and keep editing meanwhile.
 *
 * After the network calms down, everything converges: every client's ProseMirror document and
 * Yjs state equal the server's and what storage holds, every client is saved, no honest
 * client was ever refused, and the attribution endpoint covers every character and names only
 * the people who typed.
 *
 * Short: 6 clients, 300 steps. `FAULTS_LONG=1`: 10 clients, 3,000 steps.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { facilitatorOf, signInAs, type SignedIn } from '../helpers/auth.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { pmDoc, writePm } from '../helpers/pm-edit.js'
import { ChaosProxy } from '../helpers/chaos-proxy.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { messageAttribution } from '../../shared/protocol.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import { randomPmEdit } from './pm-edits.js'
import { report, seeded, size } from './knobs.js'

const CLIENTS = size(6, 10)
const STEPS = size(300, 3000)
const ROUGH = { maxDelayMs: 40, spikeRate: 0.02, dropRate: 0.01 }

const jsonOf = (doc: Y.Doc): unknown => yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(FRAGMENT_NAME))

/** Characters of text in a ProseMirror JSON document. */
function textLength(node: { text?: string; content?: unknown[] }): number {
  return (node.text?.length ?? 0) + (node.content ?? []).reduce<number>((n, c) => n + textLength(c as typeof node), 0)
}

describe('a network that delays, reorders and drops', () => {
  it('documents and attribution converge', { timeout: size(120_000, 1_200_000) }, async () => {
    const { gen, replay } = seeded('network faults')
    const service = await startTestService({ storage: 'sqlite' })
    const spec = await createSpec(service)
    const proxy = await ChaosProxy.start(service.url, prng.create(prng.uint32(gen, 0, 2 ** 31)), ROUGH)
    try {
      const people: SignedIn[] = []
      const clients: TestClient[] = []
      for (let i = 0; i < CLIENTS; i++) {
        const person = await signInAs(service, i % 2 ? 'team' : 'customer', { panelSpecIds: [spec] })
        const client = connectClient(proxy.url, spec, { token: person.wsToken(spec) })
        client.provider.messageHandlers[messageAttribution] = () => {}
        people.push(person)
        clients.push(client)
      }
      await Promise.all(clients.map((c) => synced(c, 60_000)))
      const log: string[] = []
      let edits = 0
      for (let step = 0; step < STEPS; step++) {
        const i = prng.uint32(gen, 0, CLIENTS - 1)
        const client = clients[i]!
        if (step % 200 === 0) {
          // WebSocket tokens live minutes; a reconnect in a long run needs a fresh one.
          clients.forEach((c, k) => (c.provider.params.token = people[k]!.wsToken(spec)))
        }
        // Someone goes offline now and then, and comes back after a few edits of their own.
        if (prng.uint32(gen, 0, client.provider.shouldConnect ? 59 : 5) === 0) {
          if (client.provider.shouldConnect) client.provider.disconnect()
          else client.provider.connect()
          log.push(`${step}: c${i} ${client.provider.shouldConnect ? 'connect' : 'disconnect'}`)
        } else {
          const edit = randomPmEdit(gen, pmDoc(client.doc))
          if (edit) {
            writePm(client.doc, edit.tr.doc)
            edits++
            log.push(`${step}: c${i} ${client.provider.wsconnected ? '' : '(offline) '}${edit.op}`)
          }
        }
        // Pacing, so edits interleave with deliveries, cuts and reconnects.
        await sleep(prng.uint32(gen, 0, 8))
      }

      // The network calms down and everyone comes back.
      proxy.set({ dropRate: 0, spikeRate: 0, maxDelayMs: 5 })
      for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect()
      const room = () => service.rooms.get(spec)
      const context = () =>
        `${replay}\nproxy: ${JSON.stringify(proxy.stats)}\nclients: ${JSON.stringify(clients.map((c) => ({ ...c.tracker.current, closes: c.closes.slice(-3) })))}\nlast ops:\n${log.slice(-30).join('\n')}`
      const calmStart = Date.now()
      await eventually(() => {
        const expected = jsonOf(room()!.doc)
        for (const c of clients) {
          expect(c.tracker.current.status, context()).toBe('saved')
          expect(jsonOf(c.doc), context()).toEqual(expected)
        }
      }, size(60_000, 300_000), 50)
      const convergedMs = Date.now() - calmStart

      const serverDoc = room()!.doc
      const stateVector = Y.encodeStateVector(serverDoc)
      for (const c of clients) expect(Y.encodeStateVector(c.doc), context()).toEqual(stateVector)
      const stored = new Y.Doc()
      for (const u of (await service.storage.docs.load(spec)).updates) Y.applyUpdate(stored, u)
      const expected = jsonOf(serverDoc) as { content?: unknown[] }
      expect(jsonOf(stored), context()).toEqual(expected)
      // Only the proxy's cuts (1006) closed anyone: the server refused no honest client.
      for (const c of clients) expect(c.closes.filter((x) => x.code !== 1006), context()).toEqual([])

      // Attribution, as the API serves it: every character accounted for, by people who typed
      // and the facilitator who created the spec (its title is their words).
      const facilitator = await facilitatorOf(service)
      const res = await facilitator.fetch(`/api/specs/${spec}/attribution`)
      expect(res.status).toBe(200)
      const { attribution } = (await res.json()) as { attribution: SpecAttribution }
      const ids = new Set([...people.map((p) => p.principal.participantId), facilitator.principal.participantId])
      let attributed = 0
      for (const block of attribution.blocks) {
        expect(block.runs.reduce((n, r) => n + r.length, 0), context()).toBe(block.length)
        for (const run of block.runs) {
          expect(ids.has(run.authorId ?? 'unknown'), `author ${run.authorId}; ${context()}`).toBe(true)
          expect(ids.has(run.moverId ?? 'unknown'), `mover ${run.moverId}; ${context()}`).toBe(true)
        }
        for (const who of block.contributors) expect(ids.has(who.participantId), context()).toBe(true)
        attributed += block.length
      }
      expect(attributed, context()).toBe(textLength(expected))
      expect(attribution.totals.unknown, context()).toBe(0)

      report('network faults', {
        clients: CLIENTS,
        steps: STEPS,
        edits,
        characters: attributed,
        blocks: attribution.blocks.length,
        proxy: proxy.stats,
        convergedMsAfterCalm: convergedMs
      })
    } finally {
      await proxy.close()
    }
  })
})
