/**
 * The permission matrix over HTTP, table-driven: every caller (each role by session cookie, each
 * role by API token, customers and viewers of panel A, a customer of panel B, anonymous) against
 * every route. Routes that consume or destroy something act on a fresh target per call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configWith } from '../../server/config.js'
import { startService } from '../../server/service.js'
import { createApiToken, createMemberInvite, createPanelInvite } from '../../server/identity/operations.js'
import type { Service } from '../../server/service.js'
import { fetchAs, signInAs, tokenAs, type Caller } from '../helpers/auth.js'
import { UNSUBSCRIBE_KEY_NAME, UnsubscribeTokens } from '../../server/notify/unsubscribe-tokens.js'
import { newSecret } from '../../server/identity/secrets.js'
import { createSpec } from '../helpers/server.js'
import { newRemovalId } from '../../server/review/removals-feed.js'
import * as Y from 'yjs'
import { absolutePositionToRelativePosition, initProseMirrorDoc } from 'y-prosemirror'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { encodeRuns } from '../../server/review/thread-anchors.js'
import { commentId, threadId } from '../contract/threads.contract.js'
import { connectAs, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, posOf } from '../helpers/pm-edit.js'

type Who = 'facilitator' | 'team' | 'customerA' | 'viewerA' | 'customerB' | 'anonymous' | 'tokenF' | 'tokenT' | 'tokenC' | 'tokenV'
const WHO: Who[] = ['facilitator', 'team', 'customerA', 'viewerA', 'customerB', 'anonymous', 'tokenF', 'tokenT', 'tokenC', 'tokenV']

/** What each route answers, per caller kind. */
type Expect = Record<Who, number>

/** Facilitators (cookie or token) succeed with `ok`; other roles 403; anonymous 401. */
const facilitatorOnly = (ok: number): Expect => ({
  facilitator: ok,
  tokenF: ok,
  team: 403,
  tokenT: 403,
  customerA: 403,
  viewerA: 403,
  customerB: 403,
  tokenC: 403,
  tokenV: 403,
  anonymous: 401
})

/** Team roles (facilitator, team; cookie or token) succeed with `ok`; customers and viewers 403; anonymous 401. */
const reviewersOnly = (ok: number): Expect => ({
  facilitator: ok,
  tokenF: ok,
  team: ok,
  tokenT: ok,
  customerA: 403,
  viewerA: 403,
  customerB: 403,
  tokenC: 403,
  tokenV: 403,
  anonymous: 401
})

/** Everyone signed in gets `ok`, except where overridden. */
const signedIn = (ok: number, over: Partial<Expect> = {}): Expect => ({
  ...Object.fromEntries(WHO.map((w) => [w, ok])),
  anonymous: 401,
  ...over
}) as Expect

const everyone = (ok: number): Expect => Object.fromEntries(WHO.map((w) => [w, ok])) as Expect

interface Fixture {
  service: Service
  specA: string
  specB: string
  panelA: string
  teamId: string
  callers: Record<Who, Caller>
  /** Relative positions around text of spec A (for starting threads). */
  anchors: { start: string; end: string }
}

interface Route {
  method: string
  name: string
  path: (f: Fixture) => Promise<string> | string
  body?: unknown
  expect: Expect
}

/** The pair the last `fresh.mergePair` made (the body of the merge route names them). */
let mergePair = { from: '', into: '' }

/** Export jobs made by `fresh.exportJob`, by kind. */
const exportJobs = new Map<string, string>()

const fresh = {
  /** Two customers of a fresh panel, to merge: returns the panel; the pair is in `mergePair`. */
  mergePair: async (f: Fixture) => {
    const store = f.service.storage.identity
    const panel = (await store.createPanel({ name: 'Merge', description: '' })).id
    const [into, from] = await Promise.all(['Carla', 'Carla'].map((displayName) => store.createInvitee({ displayName, email: null })))
    for (const p of [into!, from!]) await store.addMembership(panel, p.id, 'customer')
    mergePair = { from: from!.id, into: into!.id }
    return panel
  },
  spec: async (f: Fixture) => (await f.service.storage.specs.create('Throwaway')).id,
  panel: async (f: Fixture) => (await f.service.storage.identity.createPanel({ name: 'Throwaway', description: '' })).id,
  account: async (f: Fixture) =>
    (
      await f.service.storage.identity.createAccount({
        email: `x-${Math.random()}@example.com`,
        displayName: 'X',
        role: 'team',
        passwordHash: 'scrypt$1$1$1$AA==$AA=='
      })
    ).id,
  invite: async (f: Fixture) => createPanelInvite(f.service.storage.identity, { panelId: f.panelA, role: 'customer', createdBy: f.teamId }),
  /** An open removal in spec A (its place resolves nowhere: a restore appends a paragraph). */
  removal: async (f: Fixture) => {
    const id = newRemovalId()
    const place = { inText: null, inFragment: '', blockType: 'paragraph', level: null, blockKey: '1:0' }
    await f.service.removals.add({
      specId: f.specA, id, contributionId: null, text: 'offline mode', authorId: 'acct-cust', authorRole: 'customer', removedBy: f.teamId, removedByRole: 'team',
      removedAt: new Date().toISOString(), origins: [{ client: 1, clock: 0, len: 12 }], pieces: [{ text: 'offline mode', place }],
      status: 'open', restoredBy: null, restoredByRole: null, restoredAt: null
    })
    return id
  },
  /**
   * An export job of spec A started by `who` (facilitator by default), waited for until done
   * when `done`; its id.
   */
  exportJob: async (f: Fixture, who: 'facilitator' | 'team' = 'facilitator', done = false) => {
    // One job per kind for the whole table: each starts a worker thread, and the cells only
    // read it (a DELETE by someone else is refused; the owner's repeated cancel stays 204).
    const key = `${who}:${done}`
    const cached = exportJobs.get(key)
    if (cached) return cached
    const res = await fetchAs(f.service, f.callers[who], 'POST', `/api/specs/${f.specA}/exports`, { format: 'markdown' })
    if (res.status !== 202) throw new Error(`export did not start: ${res.status} ${JSON.stringify(res.body)}`)
    const id = (res.body as { job: { id: string } }).job.id
    if (done) await eventually(() => expect(f.service.exports.jobs.get(id)?.job.state).toBe('done'))
    exportJobs.set(key, id)
    return id
  },
  /** A thread in spec A started by the team member, open or resolved. */
  thread: async (f: Fixture, status: 'open' | 'resolved' = 'open') => {
    const at = new Date().toISOString()
    const t = await f.service.threads.create({
      specId: f.specA, id: threadId(), contributionId: null, ...f.anchors, anchored: encodeRuns([{ client: 1, clock: 0, len: 4 }]), quote: 'mode',
      createdBy: f.teamId, createdRole: 'team', createdAt: at, comment: { id: commentId(), authorId: f.teamId, role: 'team', body: 'Look', createdAt: at }
    })
    if (status === 'resolved') await f.service.threads.setStatus(f.specA, t.id, { status, by: f.teamId, role: 'team', at })
    return t.id
  }
}

/**
 * Export jobs: their owner and facilitators get `ok`, other team members 404 (not theirs),
 * customers and viewers 403 (`spec:export`), anonymous 401.
 */
const jobOwnerOr = (owner: 'facilitator' | 'team', ok: number): Expect => ({
  ...reviewersOnly(ok),
  ...(owner === 'facilitator' ? { team: 404, tokenT: 404 } : { tokenT: 404 })
})

/** Readers of spec A get `ok`; customer B (not invited) 404. */
const readersOfA = (ok: number, over: Partial<Expect> = {}): Expect => signedIn(ok, { customerB: 404, ...over })
/** Only team roles may resolve or reopen a thread someone else started. */
const othersThread = (ok: number): Expect => readersOfA(ok, { customerA: 403, viewerA: 403, tokenC: 403, tokenV: 403 })

const ROUTES: Route[] = [
  { method: 'GET', name: '/api/auth/setup-status', path: () => '/api/auth/setup-status', expect: everyone(200) },
  { method: 'GET', name: '/api/auth/me', path: () => '/api/auth/me', expect: signedIn(200) },
  { method: 'GET', name: '/api/specs', path: () => '/api/specs', expect: signedIn(200) },
  { method: 'GET', name: '/api/specs/:specA', path: (f) => `/api/specs/${f.specA}`, expect: signedIn(200, { customerB: 404 }) },
  { method: 'GET', name: '/api/specs/:specB', path: (f) => `/api/specs/${f.specB}`, expect: signedIn(200, { customerA: 404, viewerA: 404, tokenC: 404, tokenV: 404 }) },
  { method: 'GET', name: '/api/specs/:unknown', path: () => '/api/specs/unknownspec1', expect: signedIn(404) },
  { method: 'POST', name: '/api/specs', path: () => '/api/specs', body: { title: 'New' }, expect: facilitatorOnly(201) },
  { method: 'PATCH', name: '/api/specs/:specA', path: (f) => `/api/specs/${f.specA}`, body: { title: 'Renamed' }, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/specs/:fresh', path: async (f) => `/api/specs/${await fresh.spec(f)}`, expect: facilitatorOnly(204) },
  { method: 'GET', name: '/api/specs/:specA/decisions', path: (f) => `/api/specs/${f.specA}/decisions`, expect: reviewersOnly(200) },
  { method: 'POST', name: '/api/specs/:specA/decisions', path: (f) => `/api/specs/${f.specA}/decisions`, body: { subjectId: '12345:0', state: 'accepted', note: 'Yes.' }, expect: reviewersOnly(201) },
  { method: 'GET', name: '/api/specs/:specA/decisions/verify', path: (f) => `/api/specs/${f.specA}/decisions/verify`, expect: reviewersOnly(200) },
  { method: 'GET', name: '/api/specs/:unknown/decisions', path: () => '/api/specs/unknownspec1/decisions', expect: reviewersOnly(404) },
  // Team roles list every contribution, a customer of a panel invited to the spec their own; viewers may not.
  { method: 'GET', name: '/api/specs/:specA/contributions', path: (f) => `/api/specs/${f.specA}/contributions`, expect: signedIn(200, { viewerA: 403, tokenV: 403, customerB: 404 }) },
  { method: 'GET', name: '/api/specs/:unknown/contributions', path: () => '/api/specs/unknownspec1/contributions', expect: signedIn(404) },
  // Removals: team roles all, customers their own words, viewers none; restoring is the team's.
  { method: 'GET', name: '/api/specs/:specA/removals', path: (f) => `/api/specs/${f.specA}/removals`, expect: signedIn(200, { viewerA: 403, tokenV: 403, customerB: 404 }) },
  { method: 'GET', name: '/api/specs/:unknown/removals', path: () => '/api/specs/unknownspec1/removals', expect: signedIn(404) },
  { method: 'POST', name: '/api/specs/:specA/removals/:fresh/restore', path: async (f) => `/api/specs/${f.specA}/removals/${await fresh.removal(f)}/restore`, expect: reviewersOnly(200) },
  { method: 'POST', name: '/api/specs/:specA/removals/:unknown/restore', path: (f) => `/api/specs/${f.specA}/removals/rnosuchremoval/restore`, expect: reviewersOnly(404) },
  // Threads: any reader of the spec starts and replies; resolving someone else's thread is the team's.
  { method: 'GET', name: '/api/specs/:specA/threads', path: (f) => `/api/specs/${f.specA}/threads`, expect: readersOfA(200) },
  { method: 'GET', name: '/api/specs/:unknown/threads', path: () => '/api/specs/unknownspec1/threads', expect: signedIn(404) },
  { method: 'POST', name: '/api/specs/:specA/threads', path: (f) => `/api/specs/${f.specA}/threads`, body: 'thread', expect: readersOfA(201) },
  { method: 'POST', name: '/api/specs/:specA/threads/:fresh/replies', path: async (f) => `/api/specs/${f.specA}/threads/${await fresh.thread(f)}/replies`, body: { body: 'Agreed' }, expect: readersOfA(201) },
  { method: 'POST', name: '/api/specs/:specA/threads/:unknown/replies', path: (f) => `/api/specs/${f.specA}/threads/${threadId()}/replies`, body: { body: 'Agreed' }, expect: readersOfA(404) },
  { method: 'POST', name: '/api/specs/:specA/threads/:freshTeam/resolve', path: async (f) => `/api/specs/${f.specA}/threads/${await fresh.thread(f)}/resolve`, expect: othersThread(200) },
  { method: 'POST', name: '/api/specs/:specA/threads/:freshTeamResolved/reopen', path: async (f) => `/api/specs/${f.specA}/threads/${await fresh.thread(f, 'resolved')}/reopen`, expect: othersThread(200) },
  // Review settings: any reader; publishing decisions is the facilitator's.
  { method: 'GET', name: '/api/specs/:specA/review-settings', path: (f) => `/api/specs/${f.specA}/review-settings`, expect: signedIn(200, { customerB: 404 }) },
  { method: 'GET', name: '/api/specs/:unknown/review-settings', path: () => '/api/specs/unknownspec1/review-settings', expect: signedIn(404) },
  { method: 'PUT', name: '/api/specs/:specA/review-settings', path: (f) => `/api/specs/${f.specA}/review-settings`, body: { decisionsPublic: false }, expect: facilitatorOnly(200) },
  // Exports: facilitators, and team members on a spec whose facilitator allowed it (spec A, see
  // the fixture; refused with 403 export_not_allowed otherwise: exports-http.test.ts). A job is
  // its owner's and the facilitators'.
  { method: 'GET', name: '/api/specs/:specA/export-settings', path: (f) => `/api/specs/${f.specA}/export-settings`, expect: reviewersOnly(200) },
  { method: 'PUT', name: '/api/specs/:specA/export-settings', path: (f) => `/api/specs/${f.specA}/export-settings`, body: { teamMayExport: true }, expect: facilitatorOnly(200) },
  { method: 'GET', name: '/api/specs/:unknown/export-settings', path: () => '/api/specs/unknownspec1/export-settings', expect: reviewersOnly(404) },
  { method: 'POST', name: '/api/specs/:specA/exports', path: (f) => `/api/specs/${f.specA}/exports`, body: { format: 'markdown' }, expect: reviewersOnly(202) },
  { method: 'POST', name: '/api/specs/:unknown/exports', path: () => '/api/specs/unknownspec1/exports', body: { format: 'markdown' }, expect: reviewersOnly(404) },
  { method: 'GET', name: '/api/specs/:specA/exports/preview', path: (f) => `/api/specs/${f.specA}/exports/preview?attribution=false`, expect: reviewersOnly(200) },
  { method: 'GET', name: '/api/exports/:freshF', path: async (f) => `/api/exports/${await fresh.exportJob(f)}`, expect: jobOwnerOr('facilitator', 200) },
  { method: 'GET', name: '/api/exports/:freshT', path: async (f) => `/api/exports/${await fresh.exportJob(f, 'team')}`, expect: jobOwnerOr('team', 200) },
  { method: 'GET', name: '/api/exports/:unknown', path: () => `/api/exports/x${'0'.repeat(32)}`, expect: reviewersOnly(404) },
  { method: 'GET', name: '/api/exports/:freshF/events', path: async (f) => `/api/exports/${await fresh.exportJob(f)}/events`, expect: jobOwnerOr('facilitator', 200) },
  { method: 'GET', name: '/api/exports/:doneF/file', path: async (f) => `/api/exports/${await fresh.exportJob(f, 'facilitator', true)}/file`, expect: jobOwnerOr('facilitator', 200) },
  { method: 'GET', name: '/api/exports/:doneT/file', path: async (f) => `/api/exports/${await fresh.exportJob(f, 'team', true)}/file`, expect: jobOwnerOr('team', 200) },
  { method: 'DELETE', name: '/api/exports/:freshF', path: async (f) => `/api/exports/${await fresh.exportJob(f)}`, expect: jobOwnerOr('facilitator', 204) },
  { method: 'DELETE', name: '/api/exports/:freshT', path: async (f) => `/api/exports/${await fresh.exportJob(f, 'team')}`, expect: jobOwnerOr('team', 204) },
  // Answers: every reader gets their own; nothing names anyone else.
  { method: 'GET', name: '/api/specs/:specA/answers', path: (f) => `/api/specs/${f.specA}/answers`, expect: signedIn(200, { customerB: 404 }) },
  { method: 'GET', name: '/api/specs/:unknown/answers', path: () => '/api/specs/unknownspec1/answers', expect: signedIn(404) },
  { method: 'POST', name: '/api/specs/:specA/answers/seen', path: (f) => `/api/specs/${f.specA}/answers/seen`, body: { upTo: '2026-12-01T10:00:00Z' }, expect: signedIn(200, { customerB: 404 }) },
  // The email digest switch: one's own, any signed-in caller; the unsubscribe link is public and needs its signed token.
  { method: 'GET', name: '/api/me/email-digest', path: () => '/api/me/email-digest', expect: signedIn(200) },
  { method: 'PUT', name: '/api/me/email-digest', path: () => '/api/me/email-digest', body: { enabled: true }, expect: signedIn(200) },
  // Return links: an invitee's own (team members have a password, tokens no browser: 409). Coming back
  // (POST /api/auth/return) is public and rate-limited per IP: test/server/auth-return-link.test.ts.
  { method: 'POST', name: '/api/me/return-link', path: () => '/api/me/return-link', expect: signedIn(409, { customerA: 201, viewerA: 201, customerB: 201 }) },
  { method: 'DELETE', name: '/api/me/return-link', path: () => '/api/me/return-link', expect: signedIn(409, { customerA: 204, viewerA: 204, customerB: 204 }) },
  { method: 'POST', name: '/api/email/unsubscribe?token=:valid',
    path: async (f) => {
      const tokens = new UnsubscribeTokens(await f.service.storage.identity.secret(UNSUBSCRIBE_KEY_NAME, () => newSecret()))
      return `/api/email/unsubscribe?token=${encodeURIComponent(tokens.issue(f.teamId))}`
    },
    expect: everyone(200)
  },
  { method: 'POST', name: '/api/email/unsubscribe?token=:forged', path: (f) => `/api/email/unsubscribe?token=${Buffer.from(f.teamId).toString('base64url')}.forged`, expect: everyone(400) },
  { method: 'POST', name: '/api/auth/ws-token {specA}', path: () => '/api/auth/ws-token', body: 'specA', expect: signedIn(200, { customerB: 404 }) },
  { method: 'POST', name: '/api/auth/ws-token {specB}', path: () => '/api/auth/ws-token', body: 'specB', expect: signedIn(200, { customerA: 404, viewerA: 404, tokenC: 404, tokenV: 404 }) },
  { method: 'GET', name: '/api/members', path: () => '/api/members', expect: facilitatorOnly(200) },
  { method: 'POST', name: '/api/members/invites', path: () => '/api/members/invites', body: 'memberInvite', expect: facilitatorOnly(201) },
  { method: 'PATCH', name: '/api/members/:team', path: (f) => `/api/members/${f.teamId}`, body: { role: 'team' }, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/members/:fresh', path: async (f) => `/api/members/${await fresh.account(f)}`, expect: facilitatorOnly(204) },
  { method: 'DELETE', name: '/api/members/invites/:fresh',
    path: async (f) => {
      const { invite } = await createMemberInvite(f.service.storage.identity, { email: `m-${Math.random()}@example.com`, displayName: 'M', role: 'team', createdBy: f.teamId })
      return `/api/members/invites/${invite.id}`
    },
    expect: facilitatorOnly(204)
  },
  { method: 'GET', name: '/api/panels', path: () => '/api/panels', expect: facilitatorOnly(200) },
  { method: 'POST', name: '/api/panels', path: () => '/api/panels', body: { name: 'New panel' }, expect: facilitatorOnly(201) },
  { method: 'GET', name: '/api/panels/:panelA', path: (f) => `/api/panels/${f.panelA}`, expect: facilitatorOnly(200) },
  { method: 'PATCH', name: '/api/panels/:panelA', path: (f) => `/api/panels/${f.panelA}`, body: { description: 'Pilot customers' }, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/panels/:fresh', path: async (f) => `/api/panels/${await fresh.panel(f)}`, expect: facilitatorOnly(204) },
  { method: 'PUT', name: '/api/panels/:fresh/specs/:specA', path: async (f) => `/api/panels/${await fresh.panel(f)}/specs/${f.specA}`, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/panels/:fresh/specs/:specA',
    path: async (f) => {
      const panel = await fresh.panel(f)
      await f.service.storage.identity.setPanelSpec(panel, f.specA, true)
      return `/api/panels/${panel}/specs/${f.specA}`
    },
    expect: facilitatorOnly(200)
  },
  { method: 'GET', name: '/api/panels/:panelA/members', path: (f) => `/api/panels/${f.panelA}/members`, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/panels/:fresh/members/:member',
    path: async (f) => {
      const panel = await fresh.panel(f)
      const p = await f.service.storage.identity.createInvitee({ displayName: 'Gone', email: null })
      await f.service.storage.identity.addMembership(panel, p.id, 'customer')
      return `/api/panels/${panel}/members/${p.id}`
    },
    expect: facilitatorOnly(204)
  },
  { method: 'POST', name: '/api/panels/:panelA/invites', path: (f) => `/api/panels/${f.panelA}/invites`, body: { role: 'customer', maxUses: 5 }, expect: facilitatorOnly(201) },
  { method: 'GET', name: '/api/panels/:panelA/invites', path: (f) => `/api/panels/${f.panelA}/invites`, expect: facilitatorOnly(200) },
  // Merging two participants of one panel, and the panel's merge records: the facilitator's.
  { method: 'POST', name: '/api/panels/:fresh/merges', path: async (f) => `/api/panels/${await fresh.mergePair(f)}/merges`, body: 'merge', expect: facilitatorOnly(200) },
  { method: 'GET', name: '/api/panels/:panelA/merges', path: (f) => `/api/panels/${f.panelA}/merges`, expect: facilitatorOnly(200) },
  { method: 'DELETE', name: '/api/invites/:freshInviteId', path: async (f) => `/api/invites/${(await fresh.invite(f)).invite.id}`, expect: facilitatorOnly(200) },
  { method: 'GET', name: '/api/invites/:freshToken', path: async (f) => `/api/invites/${(await fresh.invite(f)).token}`, expect: everyone(200) },
  { method: 'GET', name: '/api/tokens', path: () => '/api/tokens', expect: facilitatorOnly(200) },
  { method: 'POST', name: '/api/tokens', path: () => '/api/tokens', body: { name: 'ci', role: 'team' }, expect: facilitatorOnly(201) },
  { method: 'DELETE', name: '/api/tokens/:fresh',
    path: async (f) => `/api/tokens/${(await createApiToken(f.service.storage.identity, { name: 't', role: 'viewer', createdBy: null })).token.id}`,
    expect: facilitatorOnly(204)
  }
]

describe('HTTP permission matrix', () => {
  let f: Fixture
  let stop = async (): Promise<void> => {}
  afterAll(() => stop())

  beforeAll(async () => {
    // One service for the whole table (startTestService would stop it after the first test).
    // Exports render with the fake renderer (fast; the real ones are tested on their own).
    const service = await startService(configWith({ port: 0, host: '127.0.0.1', storage: 'memory', logLevel: 'silent' }), {
      exportRenderer: new URL('../helpers/fake-export-renderer.ts', import.meta.url)
    })
    stop = () => service.stop()
    const specA = await createSpec(service, 'Spec A')
    const specB = await createSpec(service, 'Spec B')
    const customerA = await signInAs(service, 'customer', { panelSpecIds: [specA] })
    const panelA = customerA.panelId!
    const viewerA = await signInAs(service, 'viewer', { panelId: panelA })
    const customerB = await signInAs(service, 'customer', { panelSpecIds: [specB] })
    const team = await signInAs(service, 'team')
    // Team members may export spec A (not spec B).
    await service.answers.store.setTeamMayExport(specA, true)
    // Text in spec A, and the editor's relative positions around it, for starting threads.
    const writer = await connectAs(service, specA)
    await synced(writer)
    editPm(writer.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text('Offline mode'))))
    await eventually(() => expect(writer.tracker.current.status).toBe('saved'))
    const fragment = writer.doc.getXmlFragment(FRAGMENT_NAME)
    const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema)
    const rel = (pos: number) => Buffer.from(Y.encodeRelativePosition(absolutePositionToRelativePosition(pos, fragment, mapping))).toString('base64')
    const anchors = { start: rel(posOf(pm, 'mode')), end: rel(posOf(pm, 'mode') + 4) }
    writer.destroy()
    const bearer = async (role: 'facilitator' | 'team' | 'customer' | 'viewer') => ({ bearer: (await tokenAs(service, role, [panelA])).secret })
    f = {
      service,
      specA,
      specB,
      panelA,
      teamId: team.principal.participantId,
      anchors,
      callers: {
        facilitator: await signInAs(service, 'facilitator'),
        team,
        customerA,
        viewerA,
        customerB,
        anonymous: null,
        tokenF: await bearer('facilitator'),
        tokenT: await bearer('team'),
        tokenC: await bearer('customer'),
        tokenV: await bearer('viewer')
      }
    }
  })

  it.each(ROUTES.map((r) => [`${r.method} ${r.name}`, r] as const))(
    '%s',
    async (_name, route) => {
      const failures: string[] = []
      for (const who of WHO) {
        const path = await route.path(f)
        const body =
          route.body === 'specA' ? { specId: f.specA }
          : route.body === 'specB' ? { specId: f.specB }
          : route.body === 'thread' ? { ...f.anchors, body: 'Why offline?' }
          : route.body === 'merge' ? mergePair
          : route.body === 'memberInvite' ? { email: `new-${Math.random()}@example.com`, displayName: 'New', role: 'team' }
          : route.body
        const res = await fetchAs(f.service, f.callers[who], route.method, path, body)
        if (res.status !== route.expect[who]) failures.push(`${who}: ${res.status} (expected ${route.expect[who]}) ${JSON.stringify(res.body)}`)
        if (res.status === 401) expect(res.body.error.code).toBe('unauthenticated')
        if (res.status === 403) expect(res.body.error.code).toBe('forbidden')
      }
      expect(failures).toEqual([])
    }
  )

  it('lists only the specs each caller may see', async () => {
    const ids = async (who: Who) => ((await fetchAs(f.service, f.callers[who], 'GET', '/api/specs')).body.specs as Array<{ id: string }>).map((s) => s.id)
    for (const who of ['facilitator', 'team', 'tokenF', 'tokenT'] as const) expect(await ids(who)).toEqual(expect.arrayContaining([f.specA, f.specB]))
    for (const who of ['customerA', 'viewerA', 'tokenC', 'tokenV'] as const) expect(await ids(who)).toEqual([f.specA])
    expect(await ids('customerB')).toEqual([f.specB])
  })

  it('refuses unknown or revoked bearer tokens with 401 invalid_token', async () => {
    const res = await fetchAs(f.service, { bearer: 'vlt_not-a-real-token' }, 'GET', '/api/specs')
    expect([res.status, res.body.error.code]).toEqual([401, 'invalid_token'])
    const t = await tokenAs(f.service, 'team')
    expect((await fetchAs(f.service, { bearer: t.secret }, 'GET', '/api/specs')).status).toBe(200)
    expect((await fetchAs(f.service, f.callers.facilitator, 'DELETE', `/api/tokens/${t.id}`)).status).toBe(204)
    expect((await fetchAs(f.service, { bearer: t.secret }, 'GET', '/api/specs')).status).toBe(401)
  })
})
