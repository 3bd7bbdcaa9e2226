/**
 * Gathers an {@link ExportSource} on the main thread, from the same code that answers the HTTP
 * API, so a renderer (run off the event loop) never touches a room, a store or the network:
 *
 * - attribution: `RoomRegistry.attribution`, exactly what `GET /api/specs/:id/attribution` returns;
 * - the document: the room's live Y.Doc read as ProseMirror JSON (y-to-pm.ts), and each
 *   contribution's place in it (contribution-ranges.ts), both in one synchronous read;
 * - contributions and their latest decision: the contribution store brought up to date first
 *   (`flushContributions`, as `GET /contributions` does) and `ReviewStore.current`;
 * - names, roles, emails and panels: the access control and identity directory.
 *
 * Why the snapshot check: the attribution is computed in a later turn than the document read (it
 * may look participants up). The document is read, the attribution computed, and the document's
 * Yjs snapshot compared: equal snapshots mean nothing landed in between, so `doc`, `attribution`
 * and the ranges describe one state. A spec being typed into is read again (rarely needed: both
 * usually run in the same turn).
 *
 * Wiring (server/service.ts has all of it):
 * @example
 *   const deps: ExportSourceDeps = {
 *     specs: storage.specs, rooms, contributions, review, removals,
 *     identity: storage.identity, access: auth.access
 *   }
 *   const source = await gatherExportSource(deps, specId, { requestedBy: principal.participantId })
 */
import * as Y from 'yjs'
import type { DecisionEntry } from '../../shared/api-review.js'
import type { Role } from '../../shared/permissions.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import type { AccessControl } from '../auth/access-control.js'
import type { IdentityStore } from '../identity/identity-store.js'
import type { ContributionStore } from '../review/contribution-store.js'
import type { RemovalStore } from '../review/removal-store.js'
import type { ReviewStore } from '../review/review-store.js'
import type { SpecStore } from '../storage/doc-store.js'
import type { RoomRegistry } from '../sync/rooms.js'
import { blockTextAt } from './brief-blocks.js'
import { contributionRanges, type ContributionRange } from './contribution-ranges.js'
import type { ExportContribution, ExportParticipant, ExportSource } from './export-types.js'
import { fragmentToPmJson } from './y-to-pm.js'

/** What {@link gatherExportSource} reads; each member is the service's own object (see the module example). */
export interface ExportSourceDeps {
  specs: Pick<SpecStore, 'get'>
  rooms: Pick<RoomRegistry, 'attribution' | 'withDoc' | 'flushContributions'>
  contributions: Pick<ContributionStore, 'list'>
  review: Pick<ReviewStore, 'current'>
  /** Texts of contributions whose words are all deleted (declined ideas usually are). Optional. */
  removals?: Pick<RemovalStore, 'list'>
  identity: Pick<IdentityStore, 'getParticipant' | 'membershipsOf' | 'listPanels' | 'specIdsOfPanel' | 'listAccounts'>
  access: Pick<AccessControl, 'principalOf' | 'roleOnSpec'>
}

/** Options of {@link gatherExportSource}. */
export interface GatherOptions {
  /** Who asked for the export: named as facilitator on the cover if they are one. */
  requestedBy?: string
  /** Label of what is exported. Default "Live document" (until saved versions exist). */
  versionLabel?: string
  /** Reads of the document to try while it keeps changing under the attribution. Default 20. */
  attempts?: number
}

/** The spec does not exist (or was deleted) while its export was being gathered. */
export class ExportSourceError extends Error {
  constructor(
    readonly code: 'spec_not_found' | 'spec_busy',
    message: string
  ) {
    super(message)
    this.name = 'ExportSourceError'
  }
}

const TEAM: readonly Role[] = ['facilitator', 'team']

/**
 * Everything a renderer needs to export spec `specId` (see the module comment).
 * @throws {ExportSourceError} `spec_not_found` for an unknown or deleted spec; `spec_busy` when
 *   the document changed under every one of `attempts` reads.
 */
export async function gatherExportSource(deps: ExportSourceDeps, specId: string, opts: GatherOptions = {}): Promise<ExportSource> {
  const spec = await deps.specs.get(specId)
  if (!spec) throw new ExportSourceError('spec_not_found', `spec ${specId} not found`)
  // Loads the room, then brings the stored contributions up to date (as GET /contributions does).
  await deps.rooms.attribution(specId)
  await deps.rooms.flushContributions(specId)
  const records = await deps.contributions.list(specId)
  const decided = new Map<string, DecisionEntry>((await deps.review.current(specId)).map((e) => [e.subjectId, e]))

  let read: { doc: unknown; ranges: Map<string, ContributionRange[]> } | null = null
  let attribution: ExportSource['attribution'] | null = null
  for (let attempt = 0; attempt < (opts.attempts ?? 20) && attribution === null; attempt++) {
    const before = await deps.rooms.withDoc(specId, (doc, authors) => ({
      snapshot: Y.snapshot(doc),
      doc: fragmentToPmJson(doc.getXmlFragment(FRAGMENT_NAME)),
      ranges: contributionRanges(doc, authors, records)
    }))
    const computed = await deps.rooms.attribution(specId)
    if (await deps.rooms.withDoc(specId, (doc) => Y.equalSnapshots(before.snapshot, Y.snapshot(doc)))) {
      read = before
      attribution = computed
    }
  }
  if (read === null || attribution === null) throw new ExportSourceError('spec_busy', `spec ${specId} kept changing while its export was read`)

  const pm = schema.nodeFromJSON(read.doc)
  const removed = new Map<string, string[]>()
  if (deps.removals) {
    for (const r of await deps.removals.list(specId)) {
      if (r.contributionId !== null && r.status !== 'restored') removed.set(r.contributionId, [...(removed.get(r.contributionId) ?? []), r.text])
    }
  }
  const contributions: ExportContribution[] = records.map((r) => {
    const ranges = read.ranges.get(r.id) ?? []
    const decision = decided.get(r.id) ?? null
    return {
      id: r.id,
      authorId: r.participantId,
      text: ranges.length > 0 ? textOf(pm, ranges) : (removed.get(r.id)?.join('\n') ?? r.excerpt),
      state: decision?.state ?? 'new',
      note: decision?.note ?? null,
      decidedAt: decision?.decidedAt ?? null,
      ranges
    }
  })

  const ids = new Set<string>()
  for (const block of attribution.blocks) for (const c of block.contributors) ids.add(c.participantId)
  for (const c of contributions) ids.add(c.authorId)
  const panelsOfSpec = await invitedPanels(deps, specId)
  const invited = new Set(panelsOfSpec.map((p) => p.id))
  const participants: ExportParticipant[] = []
  for (const id of ids) participants.push(await participantOf(deps, specId, id, invited))

  return {
    spec: { id: spec.id, title: spec.title, createdAt: spec.createdAt, updatedAt: spec.updatedAt },
    versionLabel: opts.versionLabel ?? 'Live document',
    exportedAt: new Date().toISOString(),
    facilitator: await facilitatorOf(deps, participants, opts.requestedBy),
    panels: panelsOfSpec,
    doc: read.doc,
    attribution,
    participants,
    contributions
  }
}

/** A contribution's text (contributions.ts rule 5): its ranges in order, blocks joined by a line break. */
function textOf(pm: ReturnType<typeof schema.nodeFromJSON>, ranges: readonly ContributionRange[]): string {
  let out = ''
  let lastPath: string | null = null
  for (const r of ranges) {
    const key = r.path.join('.')
    if (lastPath !== null && key !== lastPath) out += '\n'
    out += blockTextAt(pm, r.path).slice(r.from, r.to)
    lastPath = key
  }
  return out
}

async function invitedPanels(deps: ExportSourceDeps, specId: string): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = []
  for (const panel of await deps.identity.listPanels()) {
    if ((await deps.identity.specIdsOfPanel(panel.id)).includes(specId)) out.push({ id: panel.id, name: panel.name })
  }
  // By name, as people look panels up on the cover and in the appendix. Creation order is not
  // stable: panels made in the same millisecond are ordered by their random ids.
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
}

async function participantOf(deps: ExportSourceDeps, specId: string, id: string, invited: ReadonlySet<string>): Promise<ExportParticipant> {
  const principal = await deps.access.principalOf(id)
  const record = principal ? null : await deps.identity.getParticipant(id)
  const panelIds = (await deps.identity.membershipsOf(id)).filter((m) => m.removedAt === null && invited.has(m.panelId)).map((m) => m.panelId)
  return {
    id,
    displayName: principal?.displayName ?? record?.displayName ?? id,
    role: principal ? ((await deps.access.roleOnSpec(principal, specId)) ?? principal.role) : null,
    panelIds,
    email: principal?.email ?? record?.email ?? null
  }
}

/** The requester if they are a facilitator, else a facilitator who wrote in the spec, else the first active facilitator account. */
async function facilitatorOf(deps: ExportSourceDeps, participants: readonly ExportParticipant[], requestedBy: string | undefined): Promise<ExportSource['facilitator']> {
  if (requestedBy !== undefined) {
    const p = await deps.access.principalOf(requestedBy)
    if (p?.role === 'facilitator') return { id: p.participantId, displayName: p.displayName }
  }
  const writer = participants.find((p) => p.role === 'facilitator')
  if (writer) return { id: writer.id, displayName: writer.displayName }
  const account = (await deps.identity.listAccounts()).find((a) => a.role === 'facilitator' && a.deactivatedAt === null)
  return account && TEAM.includes(account.role) ? { id: account.id, displayName: account.displayName } : null
}
