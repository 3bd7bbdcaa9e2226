/**
 * The export routes through a real server (server/http/exports.ts, export-settings.ts): start,
 * follow (JSON and SSE), download with its headers, cancel, queue limit, expiry, who may see
 * what, bad options, and the sandboxed preview. Jobs run in real worker threads on the fake
 * renderer (test/helpers/fake-export-renderer.ts: its timing is steered by the spec title);
 * test/server/exports-load.test.ts runs the real renderers while clients type.
 */
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ExportJob } from '../../shared/api-export.js'
import type { ConfigOverrides } from '../../server/config.js'
import type { Service } from '../../server/service.js'
import { facilitatorOf, signInAs, type SignedIn } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { createSpec, startTestService } from '../helpers/server.js'

const FAKE = new URL('../helpers/fake-export-renderer.ts', import.meta.url)

const start = (config: ConfigOverrides = {}): Promise<Service> => startTestService(config, { exportRenderer: FAKE })

const exportAs = async (who: SignedIn, specId: string, body: unknown): Promise<{ status: number; body: { job: ExportJob; error?: { code: string } } & Record<string, unknown>; headers: Headers }> => {
  const res = await who.fetch(`/api/specs/${specId}/exports`, { method: 'POST', body })
  return { status: res.status, body: (await res.json()) as never, headers: res.headers }
}

const jobOf = async (who: SignedIn, id: string): Promise<ExportJob> => {
  const res = await who.fetch(`/api/exports/${id}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { job: ExportJob }).job
}

/** Reads an SSE response to its end: `[event, data]` pairs, and the comments (heartbeats). */
async function readEvents(res: Response): Promise<{ events: Array<[string, ExportJob]>; comments: number }> {
  const text = await res.text()
  const events: Array<[string, ExportJob]> = []
  let comments = 0
  for (const chunk of text.split('\n\n')) {
    if (chunk.startsWith(':')) comments++
    const event = /^event: (.+)$/m.exec(chunk)?.[1]
    const data = /^data: (.+)$/m.exec(chunk)?.[1]
    if (event && data) events.push([event, JSON.parse(data) as ExportJob])
  }
  return { events, comments }
}

const exportFiles = (service: Service): string[] => fs.readdirSync(service.exports.jobs.dir)

describe('export routes', () => {
  it('starts a job (202), streams its progress until done, and serves the file with safe headers', async () => {
    const service = await start()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Q3 Roadmap steps:6:40')
    const started = await exportAs(facilitator, spec, { format: 'pdf' })
    expect(started.status).toBe(202)
    const { job } = started.body
    expect(job).toMatchObject({ specId: spec, state: 'running', options: { format: 'pdf', attribution: true, paper: 'a4' }, downloadUrl: null })
    expect(started.headers.get('location')).toBe(`/api/exports/${job.id}`)

    const stream = await facilitator.fetch(`/api/exports/${job.id}/events`)
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { events } = await readEvents(stream)
    const progress = events.filter(([e]) => e === 'progress').map(([, j]) => j.progress)
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(events.at(-1)![0]).toBe('state')
    const done = events.at(-1)![1]
    expect(done).toMatchObject({ state: 'done', progress: 1, filename: 'Q3 Roadmap steps 6 40.pdf', contentType: 'application/pdf', downloadUrl: `/api/exports/${job.id}/file` })
    expect(await jobOf(facilitator, job.id)).toEqual(done)

    const file = await facilitator.fetch(done.downloadUrl!)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(file.headers.get('x-content-type-options')).toBe('nosniff')
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="Q3 Roadmap steps 6 40.pdf"; filename*=UTF-8''Q3%20Roadmap%20steps%206%2040.pdf`)
    const bytes = Buffer.from(await file.arrayBuffer())
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF')
    expect(Number(file.headers.get('content-length'))).toBe(bytes.length)
    expect(exportFiles(service)).toEqual([`${job.id}.export`])
    // A final job's stream says so at once and closes.
    const again = await readEvents(await facilitator.fetch(`/api/exports/${job.id}/events`))
    expect(again.events.map(([e, j]) => [e, j.state])).toEqual([['state', 'done']])
  })

  it('names the download from the title without path, quote or header injection', async () => {
    const service = await start()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, '../../etc/passwd "Été" \\ x; y')
    const { body } = await exportAs(facilitator, spec, { format: 'markdown' })
    await eventually(async () => expect((await jobOf(facilitator, body.job.id)).state).toBe('done'))
    const res = await facilitator.fetch(`/api/exports/${body.job.id}/file`)
    const disposition = res.headers.get('content-disposition')!
    expect(disposition).toBe(`attachment; filename="etc passwd _t_ x; y.md"; filename*=UTF-8''etc%20passwd%20%C3%89t%C3%A9%20x%3B%20y.md`)
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8')
    // Titles with control characters never reach the wire: the title API refuses them, and the
    // name is built only from safe characters (unit-tested in content-disposition.test.ts).
  })

  it('cancelling a running job stops it and leaves no file behind', async () => {
    const service = await start({ export: { chromiumPath: '/usr/bin/chromium', concurrency: 1, queueLimit: 5, ttlMs: 60_000, browserIdleMs: 60_000 } })
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Long steps:300:20')
    const { body } = await exportAs(facilitator, spec, { format: 'docx' })
    // Positive control: the job is working (progress arrives from its worker).
    await eventually(async () => expect((await jobOf(facilitator, body.job.id)).progress).toBeGreaterThan(0))
    const del = await facilitator.fetch(`/api/exports/${body.job.id}`, { method: 'DELETE' })
    expect(del.status).toBe(204)
    expect((await jobOf(facilitator, body.job.id)).state).toBe('cancelled')
    // The slot comes back only once the worker is gone; a next job then runs to the end.
    const next = await exportAs(facilitator, await createSpec(service, 'Next steps:1:5'), { format: 'html' })
    await eventually(async () => expect((await jobOf(facilitator, next.body.job.id)).state).toBe('done'))
    await eventually(() => expect(exportFiles(service)).toEqual([`${next.body.job.id}.export`]))
    const file = await facilitator.fetch(`/api/exports/${body.job.id}/file`)
    expect([file.status, ((await file.json()) as { error: { code: string } }).error.code]).toEqual([409, 'export_not_ready'])
  })

  it('runs at most EXPORT_CONCURRENCY jobs, queues EXPORT_QUEUE_LIMIT more, refuses the next with 429', async () => {
    const service = await start({ export: { chromiumPath: '/usr/bin/chromium', concurrency: 1, queueLimit: 1, ttlMs: 60_000, browserIdleMs: 60_000 } })
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Slow steps:10:40')
    const first = await exportAs(facilitator, spec, { format: 'pdf' })
    const second = await exportAs(facilitator, spec, { format: 'pdf' })
    expect([first.body.job.state, second.body.job.state, second.body.job.queuePosition]).toEqual(['running', 'queued', 0])
    const third = await exportAs(facilitator, spec, { format: 'pdf' })
    expect(third.status).toBe(429)
    expect(third.body.error!.code).toBe('export_queue_full')
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
    // The queued one starts when the first is done, and never alongside it.
    const events = await readEvents(await facilitator.fetch(`/api/exports/${second.body.job.id}/events`))
    expect(events.events.map(([e, j]) => `${e}:${j.state}`)[0]).toBe('state:queued')
    expect(events.events.at(-1)![1].state).toBe('done')
    const firstDone = (await jobOf(facilitator, first.body.job.id)).finishedAt!
    const secondRunning = events.events.find(([, j]) => j.state === 'running')
    expect(secondRunning).toBeDefined()
    expect(Date.parse(firstDone)).toBeLessThanOrEqual(Date.parse(events.events.at(-1)![1].finishedAt!))
  })

  it('deletes a finished file after EXPORT_TTL_MS: the job says expired, the download 410', async () => {
    const service = await start({ export: { chromiumPath: '/usr/bin/chromium', concurrency: 2, queueLimit: 5, ttlMs: 3_000, browserIdleMs: 60_000 } })
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Brief steps:1:5')
    const { body } = await exportAs(facilitator, spec, { format: 'html' })
    await eventually(async () => expect((await jobOf(facilitator, body.job.id)).state).toBe('done'))
    expect(exportFiles(service)).toHaveLength(1)
    await eventually(async () => expect((await jobOf(facilitator, body.job.id)).state).toBe('expired'))
    expect(exportFiles(service)).toEqual([])
    const file = await facilitator.fetch(`/api/exports/${body.job.id}/file`)
    expect([file.status, ((await file.json()) as { error: { code: string } }).error.code]).toEqual([410, 'export_expired'])
  })

  it('only the owner or a facilitator sees a job; team members export only while allowed', async () => {
    const service = await start()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Shared steps:1:5')
    const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const viewer = await signInAs(service, 'viewer', { panelId: customer.panelId! })
    const ann = await signInAs(service, 'team', { displayName: 'Ann' })
    const bob = await signInAs(service, 'team', { displayName: 'Bob' })

    for (const who of [customer, viewer]) {
      const res = await exportAs(who, spec, { format: 'pdf' })
      expect([res.status, res.body.error!.code]).toEqual([403, 'forbidden'])
    }
    const refused = await exportAs(ann, spec, { format: 'pdf' })
    expect([refused.status, refused.body.error!.code]).toEqual([403, 'export_not_allowed'])
    const settings = await ann.fetch(`/api/specs/${spec}/export-settings`)
    expect(await settings.json()).toEqual({ specId: spec, teamMayExport: false, mayExport: false })
    const annPut = await ann.fetch(`/api/specs/${spec}/export-settings`, { method: 'PUT', body: { teamMayExport: true } })
    expect(annPut.status).toBe(403)

    const put = await facilitator.fetch(`/api/specs/${spec}/export-settings`, { method: 'PUT', body: { teamMayExport: true } })
    expect(await put.json()).toEqual({ specId: spec, teamMayExport: true, mayExport: true })
    const annJob = await exportAs(ann, spec, { format: 'pdf' })
    expect(annJob.status).toBe(202)
    const facJob = await exportAs(facilitator, spec, { format: 'pdf' })
    const id = annJob.body.job.id
    // Positive controls: the owner and a facilitator see Ann's job.
    expect((await ann.fetch(`/api/exports/${id}`)).status).toBe(200)
    expect((await facilitator.fetch(`/api/exports/${id}`)).status).toBe(200)
    for (const path of [`/api/exports/${id}`, `/api/exports/${id}/events`, `/api/exports/${id}/file`]) {
      const res = await bob.fetch(path)
      expect([path, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([path, 404, 'export_not_found'])
    }
    expect((await bob.fetch(`/api/exports/${id}`, { method: 'DELETE' })).status).toBe(404)
    expect((await ann.fetch(`/api/exports/${facJob.body.job.id}`)).status).toBe(404)
    for (const who of [customer, viewer]) expect((await who.fetch(`/api/exports/${id}`)).status).toBe(403)
    expect((await jobOf(ann, id)).state).not.toBe('cancelled')

    await facilitator.fetch(`/api/specs/${spec}/export-settings`, { method: 'PUT', body: { teamMayExport: false } })
    expect((await exportAs(ann, spec, { format: 'pdf' })).status).toBe(403)
    const preview = await ann.fetch(`/api/specs/${spec}/exports/preview?attribution=true`)
    expect(preview.status).toBe(403)
  })

  it('refuses bad options and unknown ids with 4xx JSON', async () => {
    const service = await start()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Options')
    for (const body of [{}, { format: 'exe' }, { format: 'pdf', extra: 1 }, { format: 'pdf', paper: 'a3' }, { format: 'pdf', attribution: 'yes' }, []]) {
      const res = await exportAs(facilitator, spec, body)
      expect([JSON.stringify(body), res.status, res.body.error!.code]).toEqual([JSON.stringify(body), 400, 'invalid_body'])
    }
    const unknownSpec = await exportAs(facilitator, 'nosuchspec12', { format: 'pdf' })
    expect([unknownSpec.status, unknownSpec.body.error!.code]).toEqual([404, 'spec_not_found'])
    for (const path of ['/api/exports/nope', `/api/exports/x${'0'.repeat(32)}`, `/api/exports/x${'0'.repeat(32)}/file`]) {
      const res = await facilitator.fetch(path)
      expect([path, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([path, 404, 'export_not_found'])
    }
    for (const query of ['paper=a3', 'attribution=maybe', 'evil=1', 'attribution=true&attribution=false']) {
      const res = await facilitator.fetch(`/api/specs/${spec}/exports/preview?${query}`)
      expect([query, res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([query, 400, 'invalid_body'])
    }
    expect(exportFiles(service)).toEqual([])
  })

  it('serves the preview as HTML that cannot run script (CSP sandbox), framable only by this origin', async () => {
    const service = await start()
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Preview me')
    const res = await facilitator.fetch(`/api/specs/${spec}/exports/preview?format=pdf&attribution=false&anonymise=true&paper=letter`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const csp = res.headers.get('content-security-policy')!
    expect(csp.split(/;\s*/)).toEqual(expect.arrayContaining(['sandbox', "default-src 'none'", "frame-ancestors 'self'"]))
    expect(csp).not.toMatch(/script-src|allow-scripts/)
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    // The fake renderer names the format it was asked for: the preview is always the HTML brief.
    expect(await res.text()).toBe('html Preview me')
  })

  it('an event stream the client drops releases its job watcher', async () => {
    const service = await startTestService({}, { exportRenderer: FAKE })
    const facilitator = await facilitatorOf(service)
    const spec = await createSpec(service, 'Long steps:200:20')
    const { body } = await exportAs(facilitator, spec, { format: 'pdf' })
    const abort = new AbortController()
    const res = await facilitator.fetch(`/api/exports/${body.job.id}/events`, { signal: abort.signal })
    const reader = res.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toMatch(/^event: state\n/)
    // Positive control: the stream is watching the job.
    await eventually(() => expect(service.exports.jobs.watcherCount(body.job.id)).toBe(1))
    abort.abort()
    await eventually(() => expect(service.exports.jobs.watcherCount(body.job.id)).toBe(0))
    expect((await jobOf(facilitator, body.job.id)).state).toBe('running')
  })
})
