/**
 * Listing and counting contributions (issue 10 benchmark): a spec of ~2,000 blocks holding 500
 * customer contributions, half of them decided, and `GET /api/specs/:id/contributions` timed end
 * to end over HTTP against a real service on SQLite (durable defaults) with the spec's room live.
 * Target: under 50 ms (median; p95 reported beside it). Measured twice: on the unchanged spec
 * (reviewers re-reading after a review event), and right after a customer's keystroke was
 * committed (the list then also records it and re-derives where every contribution is).
 *
 * The spec is built the way people build one: a team member's client writes 1,500 paragraphs,
 * then 5 customers' clients each add 100 paragraphs over the sync protocol, so the server's own
 * contributions feed records the 500 contributions (one per block typed, contributions.ts rule
 * 4c), and 250 decisions go through `POST /decisions`. The service runs in this process (its
 * HTTP server on a loopback port), so the measured time includes the HTTP round trip and JSON.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { configWith } from '../server/config.js'
import { createLogger } from '../server/observability/logger.js'
import { startService, type Service } from '../server/service.js'
import { SESSION_COOKIE } from '../server/auth/cookies.js'
import { emptySpecUpdate, FRAGMENT_NAME, schema } from '../shared/schema.js'
import type { ContributionsResponse } from '../shared/api-review.js'
import * as decoding from 'lib0/decoding'
import { editPm } from '../test/helpers/pm-edit.js'
import { messageAck, readAck } from '../shared/protocol.js'
import { connectClient, whenSynced, type BenchClient } from './clients.js'

/** Settings of {@link benchContributionsListing}. */
export interface ListingOptions {
  teamBlocks: number
  customers: number
  blocksPerCustomer: number
  /** Contributions given a decision (every other one up to this many). */
  decisions: number
  /** Timed requests per caller, after {@link WARMUP} untimed ones. */
  requests: number
}

/** What was measured. */
export interface ListingResult {
  blocks: number
  contributions: number
  decided: number
  /** Team member: every contribution with counts by state, panel and participant. */
  team: Timing
  /** A customer: their own contributions. */
  customer: Timing
  /** Team member, each request right after a committed one-character edit. */
  afterEdit: Timing
  bytes: number
  targetMs: number
  met: boolean
}

/** Latency figures in milliseconds. */
export interface Timing {
  p50: number
  p95: number
  max: number
  /**
   * Median CPU time of this process per request (server and client share it): unlike wall
   * time, barely inflated when other work competes for the cores.
   */
  cpuP50: number
}

/** Defaults: the issue's spec size. */
export const DEFAULT_LISTING: ListingOptions = { teamBlocks: 1500, customers: 5, blocksPerCustomer: 100, decisions: 250, requests: 40 }

const WARMUP = 5
const TARGET_MS = 50

interface Caller {
  participantId: string
  cookie: string
  csrf: string
  panelId?: string
}

async function session(service: Service, participantId: string): Promise<Caller> {
  const { secret, session } = await service.auth.sessions.create(participantId)
  return { participantId, cookie: `${SESSION_COOKIE}=${secret}`, csrf: session.csrfToken }
}

async function call(service: Service, who: Caller, method: string, p: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(service.url + p, {
    method,
    headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  })
  return { status: res.status, text: await res.text() }
}

const paragraphs = (n: number, label: string) =>
  Array.from({ length: n }, (_, i) => schema.nodes.paragraph.create(null, schema.text(`${label} ${i}: a sentence of ordinary length about what the product should do next.`)))

/** Appends `n` paragraphs as one edit (one update; the provider sends it at once). */
function write(client: BenchClient, n: number, label: string): void {
  editPm(client.doc, (tr) => tr.insert(tr.doc.content.size, paragraphs(n, label)))
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const quantile = (samples: number[], q: number): number => {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

function timing(samples: number[], cpu: number[]): Timing {
  return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), max: Math.max(...samples), cpuP50: quantile(cpu, 0.5) }
}

async function timeList(service: Service, who: Caller, specId: string, requests: number): Promise<{ timing: Timing; bytes: number }> {
  let bytes = 0
  const samples: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < WARMUP + requests; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const res = await call(service, who, 'GET', `/api/specs/${specId}/contributions`)
    const ms = performance.now() - t0
    const used = process.cpuUsage(c0)
    if (res.status !== 200) throw new Error(`GET /contributions: ${res.status} ${res.text}`)
    bytes = res.text.length
    if (i >= WARMUP) {
      samples.push(ms)
      cpu.push((used.user + used.system) / 1000)
    }
  }
  return { timing: timing(samples, cpu), bytes }
}

/**
 * Times the list right after each of `requests` one-character edits by `writer` (typed at the
 * end of the last paragraph, its own), each awaited until the server acknowledged its commit.
 */
async function timeAfterEdits(service: Service, who: Caller, specId: string, writer: BenchClient, requests: number): Promise<Timing> {
  let acked = 0
  // The bench clients ignore Valence messages; this one counts its acks (PROTOCOL.md, type 100).
  writer.provider.messageHandlers[messageAck] = (_e: unknown, d: decoding.Decoder) => {
    acked = readAck(d)
  }
  const samples: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < requests; i++) {
    const before = acked
    editPm(writer.doc, (tr) => tr.insert(tr.doc.content.size - 1, schema.text('!')))
    while (acked === before) await pause(2)
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    const res = await call(service, who, 'GET', `/api/specs/${specId}/contributions`)
    samples.push(performance.now() - t0)
    const used = process.cpuUsage(c0)
    cpu.push((used.user + used.system) / 1000)
    if (res.status !== 200) throw new Error(`GET /contributions: ${res.status} ${res.text}`)
  }
  return timing(samples, cpu)
}

/** Builds the spec, then times the listing; see the file header. */
export async function benchContributionsListing(opts: ListingOptions, log: (line: string) => void): Promise<ListingResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-bench-listing-'))
  const service = await startService(configWith({ port: 0, host: '127.0.0.1', dataDir, storage: 'sqlite', logLevel: 'warn' }), { log: createLogger('warn') })
  const clients: BenchClient[] = []
  try {
    const store = service.storage.identity
    const spec = await service.storage.specs.create('Listing bench')
    await service.storage.docs.append(spec.id, emptySpecUpdate())
    const team = await session(service, (await store.createAccount({ email: 'bench-team@example.com', displayName: 'Team', role: 'team', passwordHash: 'x' })).id)
    const customers: Caller[] = []
    for (let i = 0; i < opts.customers; i++) {
      const panel = await store.createPanel({ name: `Panel ${i}`, description: '' })
      await store.setPanelSpec(panel.id, spec.id, true)
      const invitee = await store.createInvitee({ displayName: `Customer ${i}`, email: null })
      await store.addMembership(panel.id, invitee.id, 'customer')
      customers.push({ ...(await session(service, invitee.id)), panelId: panel.id })
    }
    const token = (p: Caller): string => service.auth.wsTokens.issue(p.participantId, spec.id).token

    const t0 = performance.now()
    const teamClient = connectClient('valence', service.url, spec.id, token(team))
    clients.push(teamClient)
    await whenSynced(teamClient)
    write(teamClient, opts.teamBlocks, 'Team paragraph')
    for (const [i, c] of customers.entries()) {
      const client = connectClient('valence', service.url, spec.id, token(c))
      clients.push(client)
      await whenSynced(client)
      // Wait until this client holds everything written so far, then add its own blocks.
      const expected = 2 + opts.teamBlocks + i * opts.blocksPerCustomer
      while (client.doc.getXmlFragment(FRAGMENT_NAME).length < expected) await pause(20)
      write(client, opts.blocksPerCustomer, `Customer ${i} idea`)
    }
    const want = opts.customers * opts.blocksPerCustomer
    let listed: ContributionsResponse | null = null
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const res = await call(service, team, 'GET', `/api/specs/${spec.id}/contributions`)
      listed = JSON.parse(res.text) as ContributionsResponse
      if (listed.counts.total >= want) break
      await pause(100)
    }
    if (!listed || listed.counts.total < want) throw new Error(`only ${listed?.counts.total ?? 0} of ${want} contributions recorded`)
    const ids = listed.contributions.map((c) => c.id)
    let decided = 0
    for (let i = 0; i < ids.length && decided < opts.decisions; i += 2, decided++) {
      const res = await call(service, team, 'POST', `/api/specs/${spec.id}/decisions`, { subjectId: ids[i], state: i % 4 === 0 ? 'accepted' : 'planned', note: 'Thanks, noted.' })
      if (res.status !== 201) throw new Error(`decision: ${res.status} ${res.text}`)
    }
    const blocks = teamClient.doc.getXmlFragment(FRAGMENT_NAME).length
    log(`  built ${blocks} blocks, ${ids.length} contributions, ${decided} decisions in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    // Where the time goes, step by step (CPU ms, median of 20).
    const step = async (fn: () => Promise<unknown>): Promise<string> => {
      const xs: number[] = []
      for (let i = 0; i < 20; i++) {
        const c0 = process.cpuUsage()
        await fn()
        const used = process.cpuUsage(c0)
        xs.push((used.user + used.system) / 1000)
      }
      return quantile(xs, 0.5).toFixed(1)
    }
    const breakdown = {
      pieces: await step(() => service.rooms.contributionPieces(spec.id)),
      list: await step(() => service.contributions.list(spec.id)),
      decisions: await step(() => service.review.current(spec.id))
    }
    log(`  steps (CPU ms, median): room pieces ${breakdown.pieces}, store list ${breakdown.list}, current decisions ${breakdown.decisions}`)
    const teamRun = await timeList(service, team, spec.id, opts.requests)
    const customerRun = await timeList(service, customers[0]!, spec.id, opts.requests)
    const afterEdit = await timeAfterEdits(service, team, spec.id, clients.at(-1)!, Math.max(5, Math.floor(opts.requests / 2)))
    const fmt = (t: Timing): string => `p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, max ${t.max.toFixed(1)} ms; CPU ${t.cpuP50.toFixed(1)} ms/request`
    log(`  team (all ${ids.length}, ${(teamRun.bytes / 1024).toFixed(0)} KiB JSON): ${fmt(teamRun.timing)}`)
    log(`  customer (own ${opts.blocksPerCustomer}): ${fmt(customerRun.timing)}`)
    log(`  team, right after a committed keystroke: ${fmt(afterEdit)}`)
    return {
      blocks,
      contributions: ids.length,
      decided,
      team: teamRun.timing,
      customer: customerRun.timing,
      afterEdit,
      bytes: teamRun.bytes,
      targetMs: TARGET_MS,
      met: teamRun.timing.p50 < TARGET_MS && customerRun.timing.p50 < TARGET_MS && afterEdit.p50 < TARGET_MS
    }
  } finally {
    for (const c of clients) c.destroy()
    await service.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
