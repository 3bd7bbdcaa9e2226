/**
 * The export job runner on its own (server/export/export-jobs.ts, rules [J1]-[J6]): real worker
 * threads running the fake renderer (test/helpers/fake-export-renderer.ts), a real folder.
 * The HTTP routes over it are tested in exports-http.test.ts.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportJob } from '../../shared/api-export.js'
import { exportOptions } from '../../shared/api-export.js'
import { ExportFiles } from '../../server/export/export-files.js'
import { LocalExportJobs } from '../../server/export/local-export-jobs.js'
import type { ExportJobEvent } from '../../server/export/export-jobs.js'
import type { ExportSource } from '../../server/export/export-types.js'
import { ExportError } from '../../server/export/export-errors.js'
import { createLogger } from '../../server/observability/logger.js'
import { eventually } from '../helpers/eventually.js'
import { tempDir } from '../helpers/server.js'

const FAKE = new URL('../helpers/fake-export-renderer.ts', import.meta.url)
const open: LocalExportJobs[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((j) => j.close()))
})

const runner = (over: { concurrency?: number; queueLimit?: number; ttlMs?: number; abortGraceMs?: number; dataDir?: string } = {}): LocalExportJobs => {
  const jobs = new LocalExportJobs({
    files: ExportFiles.open(over.dataDir ?? tempDir()),
    env: { chromiumPath: '/usr/bin/chromium' },
    concurrency: over.concurrency ?? 2,
    queueLimit: over.queueLimit ?? 5,
    ttlMs: over.ttlMs ?? 60_000,
    abortGraceMs: over.abortGraceMs,
    log: createLogger('silent'),
    rendererUrl: FAKE
  })
  open.push(jobs)
  return jobs
}

const source = (title: string): ExportSource => ({
  spec: { id: 'spec1', title, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' },
  versionLabel: 'Live document',
  exportedAt: new Date().toISOString(),
  facilitator: null,
  panels: [],
  doc: { type: 'doc', content: [] },
  attribution: { blocks: [] } as unknown as ExportSource['attribution'],
  participants: [],
  contributions: []
})

const start = (jobs: LocalExportJobs, title: string, format: 'pdf' | 'markdown' = 'pdf'): ExportJob =>
  jobs.start({ specId: 'spec1', ownerId: 'p1', options: exportOptions.parse({ format }), source: source(title), filename: title })

const stateOf = (jobs: LocalExportJobs, id: string): string => jobs.get(id)?.job.state ?? 'gone'
const filesIn = (dir: string): string[] => fs.readdirSync(dir)

/** Waits spanning several worker threads' lives: each starts tsx and its modules (seconds on a busy machine). */
const WORKERS_MS = 30_000

describe('export job runner', () => {
  it('[J3] runs a job in a worker: rising progress, then a complete file', async () => {
    const jobs = runner()
    const job = start(jobs, 'Plan steps:5:30')
    expect(job.state).toBe('running')
    const seen: Array<[ExportJobEvent, number, string]> = []
    jobs.watch(job.id, (event, j) => seen.push([event, j.progress, j.state]))
    await eventually(() => expect(stateOf(jobs, job.id)).toBe('done'))
    const progress = seen.filter(([e]) => e === 'progress').map(([, p]) => p)
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(seen.at(-1)).toEqual(['state', 1, 'done'])
    const file = jobs.download(job.id)
    expect(fs.readFileSync(file.path, 'latin1').startsWith('%PDF')).toBe(true)
    expect(file).toMatchObject({ filename: 'Plan steps:5:30.pdf', contentType: 'application/pdf', size: fs.statSync(file.path).size })
    expect(filesIn(jobs.dir)).toEqual([`${job.id}.export`])
  })

  it('[J1][J2] runs at most `concurrency` jobs, queues the rest in order, refuses beyond the queue', async () => {
    const jobs = runner({ concurrency: 1, queueLimit: 2 })
    const order: string[] = []
    const a = start(jobs, 'A steps:4:40')
    const b = start(jobs, 'B steps:1:10')
    const c = start(jobs, 'C steps:1:10')
    expect([a.state, b.state, b.queuePosition, c.state, c.queuePosition]).toEqual(['running', 'queued', 0, 'queued', 1])
    let refused: unknown = null
    try {
      jobs.start({ specId: 'spec1', ownerId: 'p2', options: exportOptions.parse({ format: 'pdf' }), source: source('D'), filename: 'D' })
    } catch (err) {
      refused = err
    }
    expect(refused).toBeInstanceOf(ExportError)
    expect((refused as ExportError).code).toBe('export_queue_full')
    expect((refused as ExportError).status).toBe(429)
    let maxRunning = 0
    for (const j of [a, b, c]) {
      jobs.watch(j.id, (event, s) => {
        if (event === 'state' && s.state === 'running') order.push(s.id)
      })
    }
    const timer = setInterval(() => {
      maxRunning = Math.max(maxRunning, [a, b, c].filter((j) => stateOf(jobs, j.id) === 'running').length)
    }, 5)
    await eventually(() => expect([a, b, c].map((j) => stateOf(jobs, j.id))).toEqual(['done', 'done', 'done']), WORKERS_MS)
    clearInterval(timer)
    expect(order).toEqual([b.id, c.id])
    expect(maxRunning).toBe(1)
  })

  it('[J1] one person may have three jobs queued or running; others still get theirs', async () => {
    const jobs = runner({ concurrency: 1, queueLimit: 10 })
    const mine = [start(jobs, 'A steps:3:30'), start(jobs, 'B'), start(jobs, 'C')]
    expect(() => start(jobs, 'D')).toThrow(expect.objectContaining({ code: 'too_many_exports', status: 429 }) as Error)
    const other = jobs.start({ specId: 'spec1', ownerId: 'p2', options: exportOptions.parse({ format: 'pdf' }), source: source('E'), filename: 'E' })
    expect(other.state).toBe('queued')
    jobs.cancel(mine[2]!.id)
    expect(start(jobs, 'F').state).toBe('queued')
  })

  it('[J4] cancelling a running job stops its worker and leaves no file behind', async () => {
    const jobs = runner({ concurrency: 1 })
    const job = start(jobs, 'Long steps:200:20')
    await eventually(() => expect(jobs.get(job.id)!.job.progress).toBeGreaterThan(0))
    // Positive control: the job was writing progress through its worker.
    expect(jobs.cancel(job.id)!.state).toBe('cancelled')
    const next = start(jobs, 'Next steps:1:10')
    // The freed slot is given away only once the worker has exited ([J2]).
    await eventually(() => expect(stateOf(jobs, next.id)).toBe('done'), WORKERS_MS)
    await eventually(() => expect(filesIn(jobs.dir)).toEqual([`${next.id}.export`]))
    expect(stateOf(jobs, job.id)).toBe('cancelled')
    expect(() => jobs.download(job.id)).toThrow(/cancelled/)
  })

  it('[J4] a renderer that ignores the abort is terminated after the grace period', async () => {
    const jobs = runner({ concurrency: 1, abortGraceMs: 200 })
    const job = start(jobs, 'Deaf deaf steps:100:50')
    await eventually(() => expect(jobs.get(job.id)!.job.progress).toBeGreaterThan(0))
    jobs.cancel(job.id)
    const next = start(jobs, 'Next steps:1:10')
    expect(next.state).toBe('queued')
    await eventually(() => expect(stateOf(jobs, next.id)).toBe('done'), WORKERS_MS)
    expect(filesIn(jobs.dir)).toEqual([`${next.id}.export`])
  })

  it('[J4] cancelling a queued job removes it from the queue', async () => {
    const jobs = runner({ concurrency: 1 })
    const a = start(jobs, 'A steps:3:30')
    const b = start(jobs, 'B')
    const c = start(jobs, 'C')
    const positions: Array<number | null> = []
    jobs.watch(c.id, (_e, j) => positions.push(j.queuePosition))
    expect(jobs.cancel(b.id)!.state).toBe('cancelled')
    expect(jobs.get(c.id)!.job.queuePosition).toBe(0)
    await eventually(() => expect(stateOf(jobs, c.id)).toBe('done'), WORKERS_MS)
    expect(positions[0]).toBe(0)
    expect(stateOf(jobs, a.id)).toBe('done')
    expect(stateOf(jobs, b.id)).toBe('cancelled')
  })

  it('[J5] a finished file expires after ttlMs: deleted, and the job says expired', async () => {
    const jobs = runner({ ttlMs: 400 })
    const job = start(jobs, 'Short steps:1:5')
    await eventually(() => expect(stateOf(jobs, job.id)).toBe('done'))
    expect(filesIn(jobs.dir)).toHaveLength(1)
    await eventually(() => expect(stateOf(jobs, job.id)).toBe('expired'))
    expect(filesIn(jobs.dir)).toEqual([])
    expect(() => jobs.download(job.id)).toThrow(expect.objectContaining({ code: 'export_expired' }) as Error)
    // Forgotten after another ttl.
    await eventually(() => expect(jobs.get(job.id)).toBeNull())
  })

  it('records a renderer failure and a crashed worker as failed, with codes', async () => {
    const jobs = runner()
    const failing = start(jobs, 'F steps:1:5 fail:chromium_missing')
    const crashing = start(jobs, 'crash')
    await eventually(() => expect([stateOf(jobs, failing.id), stateOf(jobs, crashing.id)]).toEqual(['failed', 'failed']), WORKERS_MS)
    expect(jobs.get(failing.id)!.job.error).toBe('chromium_missing')
    expect(jobs.get(crashing.id)!.job.error).toBe('worker_crashed')
    expect(filesIn(jobs.dir)).toEqual([])
  })

  it('deletes files an earlier run left in DATA_DIR/exports when it starts', () => {
    const dataDir = tempDir()
    const dir = path.join(dataDir, 'exports')
    fs.mkdirSync(dir)
    const stale = `x${'a'.repeat(32)}`
    fs.writeFileSync(path.join(dir, `${stale}.export`), 'old')
    fs.writeFileSync(path.join(dir, `${stale}.part`), 'old')
    fs.writeFileSync(path.join(dir, 'keep-me.txt'), 'not ours')
    const jobs = runner({ dataDir })
    expect(jobs.dir).toBe(dir)
    expect(filesIn(dir)).toEqual(['keep-me.txt'])
  })
})
