/**
 * A scripted spec for export tests, built through a real server: a facilitator, a team member
 * and two customers in two panels write over the sync protocol (real providers, real ProseMirror
 * edits), the team restructures a customer paragraph (split) and extends another (mixed), and
 * the team records decisions over HTTP. Then {@link gatherExportSource} reads it the way the
 * export jobs do.
 */
import { expect } from 'vitest'
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../../shared/schema.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import type { ContributionsResponse } from '../../shared/api-review.js'
import { gatherExportSource, type ExportSourceDeps } from '../../server/export/export-source.js'
import type { ExportSource } from '../../server/export/export-types.js'
import type { Service } from '../../server/service.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, pmDoc, posOf } from '../helpers/pm-edit.js'
import { createSpec, startTestService } from '../helpers/server.js'

/** Names and emails the anonymised exports must not contain. */
export interface FixturePeople {
  customers: { name: string; email: string }[]
  facilitator: string
  team: string
}

/** Overridable texts (the injection test puts payloads in them). */
export interface FixtureTexts {
  title: string
  carla: string
  cem: string
  teamLine: string
  carlaPanel: string
  cemPanel: string
  declineNote: string
}

export const DEFAULT_TEXTS: FixtureTexts = {
  title: 'Q3 Roadmap brief',
  carla: 'Carla Mendes here: we need PDF export with page numbers. Write to carla.mendes@acme.example for details.',
  cem: 'Bulk import from spreadsheets',
  teamLine: 'We will ship',
  carlaPanel: 'Acme pilot',
  cemPanel: 'Bolt users',
  declineNote: 'Out of scope for this release'
}

/** Everything a test needs about the built spec. */
export interface Fixture {
  service: Service
  spec: string
  facilitator: SignedIn
  team: SignedIn
  people: FixturePeople
  texts: FixtureTexts
  deps: ExportSourceDeps
  source: ExportSource
  /** `GET /api/specs/:id/attribution` and `/contributions`, over HTTP, after the source was read. */
  api: { attribution: SpecAttribution; contributions: ContributionsResponse }
}

/** The service's own objects, as server/service.ts would hand them to the export jobs. */
export const depsOf = (service: Service): ExportSourceDeps => ({
  specs: service.storage.specs,
  rooms: service.rooms,
  contributions: service.contributions,
  review: service.review,
  removals: service.removals,
  identity: service.storage.identity,
  access: service.auth.access
})

async function settle(...clients: TestClient[]): Promise<void> {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

const t = (text: string, ...marks: Parameters<typeof schema.text>[1][]) => schema.text(text, marks.flatMap((m) => m ?? []))

function teamBody(line: string): PMNode[] {
  const { heading, paragraph, bullet_list, ordered_list, list_item, blockquote, code_block } = schema.nodes
  const item = (text: string, ...rest: PMNode[]) => list_item.create(null, [paragraph.create(null, t(text)), ...rest])
  return [
    heading.create({ level: 1 }, t('Goals')),
    paragraph.create(null, [
      t(`${line} `),
      t('offline mode', [schema.marks.strong.create()]),
      t(' and '),
      t('dark theme', [schema.marks.em.create()]),
      t(', see '),
      t('the roadmap', [schema.marks.link.create({ href: 'https://example.com/roadmap' })]),
      t('.')
    ]),
    bullet_list.create(null, [item('Sync'), item('Search', ordered_list.create(null, [item('Full text'), item('Filters')]))]),
    blockquote.create(null, paragraph.create(null, t('Quality over speed.'))),
    code_block.create(null, t('npm run export')),
    heading.create({ level: 2 }, t('Customer ideas'))
  ]
}

/** Builds the scripted spec on a fresh service (SQLite) and gathers its export source. */
export async function buildFixture(texts: FixtureTexts = DEFAULT_TEXTS): Promise<Fixture> {
  const service = await startTestService({ storage: 'sqlite' })
  const spec = await createSpec(service, texts.title)
  const identity = service.storage.identity
  const facilitator = await signInAs(service, 'facilitator', { displayName: 'Fay Facilitator' })
  const team = await signInAs(service, 'team', { displayName: 'Tom Teamson' })
  const carlaPanel = await identity.createPanel({ name: texts.carlaPanel, description: '' })
  const cemPanel = await identity.createPanel({ name: texts.cemPanel, description: '' })
  const carla = await signInAs(service, 'customer', { panelId: carlaPanel.id, panelSpecIds: [spec], displayName: 'Carla Mendes' })
  const cem = await signInAs(service, 'customer', { panelId: cemPanel.id, panelSpecIds: [spec], displayName: 'Cem Yılmaz' })
  await identity.updateParticipant(carla.principal.participantId, { email: 'carla.mendes@acme.example' })
  await identity.updateParticipant(cem.principal.participantId, { email: 'cem@bolt.example' })

  const join = (who: SignedIn) => connectClient(service, spec, { token: who.wsToken(spec) })
  const [tc, c1, c2] = [join(team), join(carla), join(cem)]
  await Promise.all([synced(tc), synced(c1), synced(c2)])
  editPm(tc.doc, (tr) => tr.replaceWith(tr.doc.child(0).nodeSize, tr.doc.content.size, teamBody(texts.teamLine)))
  await settle(tc)
  await eventually(() => expect(pmDoc(c1.doc).textContent).toContain('Customer ideas'))
  editPm(c1.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, t(texts.carla))))
  await settle(c1)
  await eventually(() => expect(pmDoc(c2.doc).textContent).toContain(texts.carla))
  editPm(c2.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, t(texts.cem))))
  await settle(c2)
  await eventually(() => expect(pmDoc(c1.doc).textContent).toContain(texts.cem))
  editPm(c1.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, t('Dark mode for night shifts'))))
  await settle(c1)
  await eventually(() => expect(pmDoc(tc.doc).textContent).toContain('night shifts'))
  const list = async (): Promise<ContributionsResponse> => (await (await team.fetch(`/api/specs/${spec}/contributions`)).json()) as ContributionsResponse
  const ideas = await eventually(async () => {
    const body = await list()
    expect(body.contributions.length, JSON.stringify(body.contributions.map((c) => [c.excerpt, c.participantId]))).toBe(3)
    return body.contributions
  })
  // The team restructures Carla's paragraph (a split) and extends Cem's (a mixed block).
  const split = texts.carla.indexOf(' Write to')
  if (split > 0) editPm(tc.doc, (tr) => tr.split(posOf(tr.doc, texts.carla.slice(0, 12)) + split))
  editPm(tc.doc, (tr) => tr.insert(posOf(tr.doc, texts.cem) + texts.cem.length, t(' (team: in Q3)')))
  await settle(tc)

  const idOf = (who: SignedIn, includes: string) => ideas.find((c) => c.participantId === who.principal.participantId && c.excerpt.includes(includes))!.id
  const decide = async (subjectId: string, state: string, note?: string) =>
    expect((await team.fetch(`/api/specs/${spec}/decisions`, { method: 'POST', body: { subjectId, state, ...(note ? { note } : {}) } })).status).toBe(201)
  await decide(idOf(carla, texts.carla.slice(0, 5)), 'accepted')
  await decide(idOf(cem, texts.cem.slice(0, 5)), 'declined', texts.declineNote)
  await decide(idOf(carla, 'Dark mode'), 'under_discussion')
  for (const c of [tc, c1, c2]) c.destroy()

  const deps = depsOf(service)
  const source = await gatherExportSource(deps, spec, { requestedBy: facilitator.principal.participantId })
  const attribution = ((await (await facilitator.fetch(`/api/specs/${spec}/attribution`)).json()) as { attribution: SpecAttribution }).attribution
  return {
    service,
    spec,
    facilitator,
    team,
    people: {
      customers: [
        { name: 'Carla Mendes', email: 'carla.mendes@acme.example' },
        { name: 'Cem Yılmaz', email: 'cem@bolt.example' }
      ],
      facilitator: 'Fay Facilitator',
      team: 'Tom Teamson'
    },
    texts,
    deps,
    source,
    api: { attribution, contributions: await list() }
  }
}
