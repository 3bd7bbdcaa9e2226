/**
 * Seeded property test of the removal rules (server/review/removals.ts) on the real service: a
 * customer writes paragraphs, a team member makes random edits on them (delete a range, delete
 * a paragraph, drag a paragraph, split, join, heading change, cut a paragraph and paste it in a
 * later update). Then every customer character that is gone is in exactly one open removal:
 * live customer characters + characters of open removals = what the customer wrote; and moves
 * never add a removal. `REMOVAL_SEED=<n>` runs one seed; `REMOVAL_STEPS` sets the edits per seed.
 */
import { describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import type { Node as PMNode } from 'prosemirror-model'
import type { Transform } from 'prosemirror-transform'
import type { RemovalsResponse } from '../../shared/api-removals.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import { schema } from '../../shared/schema.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'

const SEEDS = process.env.REMOVAL_SEED ? [Number(process.env.REMOVAL_SEED)] : [101, 202, 303]
const STEPS = Number(process.env.REMOVAL_STEPS ?? 14)

const WORDS = ['offline', 'mode', 'export', 'PDF', 'dark', 'theme', 'audit', 'log', 'single', 'sign-on', 'bulk', 'import', 'webhooks', 'mobile', 'reports', 'roles']

async function settle(...clients: TestClient[]): Promise<void> {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

async function customerChars(who: SignedIn, spec: string): Promise<number> {
  const res = await who.fetch(`/api/specs/${spec}/attribution`)
  const a = ((await res.json()) as { attribution: SpecAttribution }).attribution
  return a.blocks.reduce((n, b) => n + b.byGroup.customer, 0)
}

async function removals(who: SignedIn, spec: string): Promise<RemovalsResponse['removals']> {
  const res = await who.fetch(`/api/specs/${spec}/removals`)
  return ((await res.json()) as RemovalsResponse).removals
}

/** Start and end of every top-level textblock after the title: [from, to) of its node. */
function textblocks(doc: PMNode): Array<{ from: number; to: number; text: string }> {
  const out: Array<{ from: number; to: number; text: string }> = []
  doc.forEach((node, offset, index) => {
    if (index > 0) out.push({ from: offset, to: offset + node.nodeSize, text: node.textContent })
  })
  return out
}

type Op = 'delete-range' | 'delete-block' | 'drag' | 'split' | 'join' | 'heading' | 'cut-paste'
const MOVES: Op[] = ['drag', 'split', 'join', 'heading']
const OPS: Op[] = ['delete-range', 'delete-block', 'drag', 'split', 'join', 'heading', 'cut-paste']

describe('removals, seeded', () => {
  for (const seed of SEEDS) {
    it(`every removed customer character is in exactly one open removal; moves in none (seed ${seed})`, async () => {
      console.log(`removals property test: REMOVAL_SEED=${seed} REMOVAL_STEPS=${STEPS}`)
      const gen = prng.create(seed)
      const service = await startTestService()
      const spec = await createSpec(service)
      const carla = await signInAs(service, 'customer', { panelSpecIds: [spec] })
      const team = await signInAs(service, 'team')
      const c = connectClient(service, spec, { token: carla.wsToken(spec) })
      const t = connectClient(service, spec, { token: team.wsToken(spec) })
      await Promise.all([synced(c), synced(t)])
      const sentence = (): string => Array.from({ length: prng.int32(gen, 3, 7) }, () => prng.oneOf(gen, WORDS)).join(' ')
      const texts = Array.from({ length: 5 }, sentence)
      editPm(c.doc, (tr) => tr.insert(tr.doc.child(0).nodeSize + 1, schema.text(texts[0]!)))
      for (const text of texts.slice(1)) editPm(c.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(text))))
      await settle(c)
      const written = texts.join('').length
      await eventually(async () => expect(await customerChars(team, spec)).toBe(written))

      const log: string[] = []
      const edit = async (op: Op, fn: (tr: Transform) => void): Promise<void> => {
        editPm(t.doc, fn)
        await settle(t)
        log.push(op)
      }
      try {
        for (let step = 0; step < STEPS; step++) {
          const blocks = textblocks(pmDoc(t.doc)).filter((b) => b.text.length > 0)
          if (blocks.length === 0) break
          const b = prng.oneOf(gen, blocks)
          const op = prng.oneOf(gen, OPS)
          const before = (await removals(team, spec)).length
          const inner = (k: number): number => b.from + 1 + k
          if (op === 'delete-range') {
            const from = prng.int32(gen, 0, b.text.length - 1)
            const to = prng.int32(gen, from + 1, b.text.length)
            await edit(op, (tr) => tr.delete(inner(from), inner(to)))
          } else if (op === 'delete-block' && blocks.length > 2) {
            await edit(op, (tr) => tr.delete(b.from, b.to))
          } else if (op === 'drag' && blocks.length > 1) {
            const target = prng.oneOf(gen, blocks.filter((x) => x !== b))
            await edit(op, (tr) => {
              const slice = tr.doc.slice(b.from, b.to)
              tr.delete(b.from, b.to)
              tr.insert(tr.mapping.map(target.from), slice.content)
            })
          } else if (op === 'split' && b.text.length > 1) {
            await edit(op, (tr) => tr.split(inner(prng.int32(gen, 1, b.text.length - 1))))
          } else if (op === 'join') {
            const i = blocks.indexOf(b)
            const next = blocks[i + 1]
            if (next === undefined || next.from !== b.to) continue
            await edit(op, (tr) => tr.join(b.to))
          } else if (op === 'heading') {
            const node = pmDoc(t.doc).nodeAt(b.from)!
            const type = node.type === schema.nodes.heading ? schema.nodes.paragraph : schema.nodes.heading
            await edit(op, (tr) => tr.setBlockType(b.from + 1, b.from + 1, type, type === schema.nodes.heading ? { level: 2 } : null))
          } else if (op === 'cut-paste' && blocks.length > 2) {
            await edit(op, (tr) => tr.delete(b.from, b.to))
            await edit(op, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text(b.text))))
          } else continue
          if (MOVES.includes(op)) expect((await removals(team, spec)).length, `a ${op} made a removal`).toBe(before)
        }
        const list = await removals(team, spec)
        const open = list.filter((r) => r.status === 'open').reduce((n, r) => n + r.text.replace(/\n/g, '').length, 0)
        const live = await customerChars(team, spec)
        console.log(`seed ${seed}: ${log.join(', ')}; live ${live} + open ${open} of ${written}; ${list.map((r) => r.status).join(' ')}`)
        expect(live + open, `live ${live} + open ${open} after ${log.join(', ')}`).toBe(written)
        expect(list.every((r) => r.author.participantId === carla.principal.participantId && r.removedBy.participantId === team.principal.participantId)).toBe(true)
      } catch (err) {
        console.log(`seed ${seed} failed after: ${log.join(', ')}`)
        throw err
      }
    })
  }
})
