/**
 * The in-process export job runner: rules [J1]-[J6] of export-jobs.ts, with a FIFO queue in
 * front of at most `concurrency` worker threads (export-worker.ts), each rendering one job.
 * A PDF job with a shared browser (shared-browser.ts) takes a lease on it before its worker
 * starts and gives it back when the worker exits, so the browser is never idle-closed under a
 * job.
 */
import { randomBytes } from 'node:crypto'
import type { Worker } from 'node:worker_threads'
import { EXPORT_FILE_TYPES, type ExportJob, type ExportOptions, type ExportState } from '../../shared/api-export.js'
import type { Logger } from '../observability/logger.js'
import { ExportError } from './export-errors.js'
import type { ExportFiles } from './export-files.js'
import type { ExportSource, RenderEnvironment } from './export-types.js'
import type { BrowserLease } from './shared-browser.js'
import type { ExportWorkerCommand, ExportWorkerInput, ExportWorkerMessage } from './export-worker-protocol.js'
import { siblingModule, startWorker } from './worker-launch.js'
import {
  ABORT_GRACE_MS,
  JOB_TIMEOUT_MS,
  MAX_ACTIVE_PER_OWNER,
  type ExportDownload,
  type ExportJobEvent,
  type ExportJobListener,
  type ExportJobRecord,
  type ExportJobs,
  type StartExport
} from './export-jobs.js'

/** Heap of one export worker (a runaway render cannot take the server's memory). */
const WORKER_HEAP_MB = 1024

/** How the runner is set up. */
export interface ExportJobsOptions {
  files: ExportFiles
  env: RenderEnvironment
  concurrency: number
  queueLimit: number
  ttlMs: number
  log: Logger
  /** Module exporting `renderExport`; default render-export next to this module. */
  rendererUrl?: URL
  /** Default {@link ABORT_GRACE_MS}. */
  abortGraceMs?: number
  /** The shared browser PDF jobs print in; without it each launches its own. */
  browser?: { acquire(): Promise<BrowserLease> }
}

interface Entry {
  job: ExportJob
  ownerId: string
  source: ExportSource | null
  /** Download name and type, reported once the job is done. */
  file: { name: string; contentType: string }
  worker: Worker | null
  listeners: Set<ExportJobListener>
  timers: Set<NodeJS.Timeout>
  path: string | null
  /** The worker said `done`: its exit is expected while the file is moved into place. */
  delivered: boolean
}

const FINAL: ReadonlySet<ExportState> = new Set(['done', 'failed', 'cancelled', 'expired'])

/** The in-process {@link ExportJobs}. */
export class LocalExportJobs implements ExportJobs {
  private readonly entries = new Map<string, Entry>()
  private readonly queue: Entry[] = []
  private readonly running = new Set<Entry>()
  private readonly rendererUrl: string
  private closed = false

  constructor(private readonly opts: ExportJobsOptions) {
    this.rendererUrl = (opts.rendererUrl ?? siblingModule(import.meta.url, 'render-export')).href
  }

  /** The folder files are kept in. */
  get dir(): string {
    return this.opts.files.dir
  }

  start(request: StartExport): ExportJob {
    if (this.closed) throw new ExportError('export_queue_full', 'the server is stopping', 5)
    let active = 0
    for (const e of this.entries.values()) if (e.ownerId === request.ownerId && !FINAL.has(e.job.state)) active++
    if (active >= MAX_ACTIVE_PER_OWNER) {
      throw new ExportError('too_many_exports', `you have ${active} exports in progress; wait for one to finish or cancel one`, 5)
    }
    const startsNow = this.running.size < this.opts.concurrency
    if (!startsNow && this.queue.length >= this.opts.queueLimit) {
      throw new ExportError('export_queue_full', `${this.queue.length} exports are waiting already; try again shortly`, 10)
    }
    const id = `x${randomBytes(16).toString('hex')}`
    const { extension, contentType } = EXPORT_FILE_TYPES[request.options.format]
    const job: ExportJob = {
      id,
      specId: request.specId,
      options: request.options,
      state: 'queued',
      progress: 0,
      stage: 'Waiting for a free worker',
      error: null,
      queuePosition: null,
      filename: null,
      contentType: null,
      size: null,
      downloadUrl: null,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      expiresAt: null
    }
    const file = { name: request.filename.endsWith(`.${extension}`) ? request.filename : `${request.filename}.${extension}`, contentType }
    const entry: Entry = { job, ownerId: request.ownerId, source: request.source, file, worker: null, listeners: new Set(), timers: new Set(), path: null, delivered: false }
    this.entries.set(id, entry)
    if (startsNow) this.run(entry)
    else {
      this.queue.push(entry)
      job.queuePosition = this.queue.length - 1
    }
    return this.snapshot(entry)
  }

  get(id: string): ExportJobRecord | null {
    const entry = this.entries.get(id)
    return entry ? { job: this.snapshot(entry), ownerId: entry.ownerId } : null
  }

  cancel(id: string): ExportJob | null {
    const entry = this.entries.get(id)
    if (!entry) return null
    const { state } = entry.job
    if (state === 'queued') {
      this.queue.splice(this.queue.indexOf(entry), 1)
      entry.source = null
      this.finish(entry, 'cancelled', 'Cancelled')
      this.renumberQueue()
    } else if (state === 'running') {
      this.finish(entry, 'cancelled', 'Cancelled')
      this.stopWorker(entry)
    } else if (state === 'done') {
      this.expire(entry, 'Deleted')
    }
    return this.snapshot(entry)
  }

  download(id: string): ExportDownload {
    const entry = this.entries.get(id)
    if (!entry) throw new ExportError('export_not_found', 'export not found')
    const { job } = entry
    if (job.state === 'expired' || (job.state === 'done' && entry.path === null)) throw new ExportError('export_expired', 'this export has expired; export again')
    if (job.state !== 'done' || entry.path === null) throw new ExportError('export_not_ready', `this export is ${job.state}`)
    return { path: entry.path, filename: entry.file.name, contentType: entry.file.contentType, size: job.size! }
  }

  watch(id: string, listener: ExportJobListener): (() => void) | null {
    const entry = this.entries.get(id)
    if (!entry) return null
    if (FINAL.has(entry.job.state)) return () => {}
    entry.listeners.add(listener)
    return () => entry.listeners.delete(listener)
  }

  /** How many watchers job `id` has (0 if unknown): tests check that streams release theirs. */
  watcherCount(id: string): number {
    return this.entries.get(id)?.listeners.size ?? 0
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const workers: Promise<number>[] = []
    for (const entry of this.entries.values()) {
      for (const t of entry.timers) clearTimeout(t)
      entry.timers.clear()
      if (!FINAL.has(entry.job.state)) this.finish(entry, 'failed', 'Stopped', 'shutdown')
      if (entry.worker) workers.push(entry.worker.terminate())
    }
    this.queue.length = 0
    await Promise.allSettled(workers)
    this.opts.files.close()
  }

  /** Starts `entry`'s worker ([J2]: counted as running until it exits). */
  private run(entry: Entry): void {
    const { job } = entry
    const source = entry.source!
    entry.source = null
    job.state = 'running'
    job.queuePosition = null
    job.stage = 'Starting'
    this.running.add(entry)
    this.emit(entry, 'state')
    this.later(entry, JOB_TIMEOUT_MS, () => {
      if (job.state !== 'running') return
      this.finish(entry, 'failed', 'Failed', 'timeout')
      this.stopWorker(entry)
    })
    const browser = job.options.format === 'pdf' ? this.opts.browser : undefined
    if (!browser) return this.startJobWorker(entry, source, this.opts.env, null)
    browser.acquire().then(
      (lease) => {
        // Cancelled, timed out or shut down while the browser started: the slot is freed here.
        if (job.state !== 'running' || this.closed) {
          lease.release()
          this.running.delete(entry)
          this.pump()
          return
        }
        this.startJobWorker(entry, source, { ...this.opts.env, browserEndpoint: lease.endpoint }, lease)
        // Not called from pump's loop: a worker that did not start frees its slot here.
        if (!this.running.has(entry)) this.pump()
      },
      (err: unknown) => {
        if (job.state !== 'running' || this.closed) {
          this.running.delete(entry)
          this.pump()
          return
        }
        // The job launches a browser of its own instead, and fails on its own if that fails too.
        this.opts.log.warn({ err, job: job.id }, 'shared export browser unavailable; the job launches its own')
        this.startJobWorker(entry, source, this.opts.env, null)
        if (!this.running.has(entry)) this.pump()
      }
    )
  }

  /** Starts the worker of running `entry`; `lease` is given back when it exits. */
  private startJobWorker(entry: Entry, source: ExportSource, env: RenderEnvironment, lease: BrowserLease | null): void {
    const { job } = entry
    const input: ExportWorkerInput = { source, options: job.options, env, rendererUrl: this.rendererUrl, partPath: this.opts.files.partPath(job.id) }
    let worker: Worker
    try {
      worker = startWorker(siblingModule(import.meta.url, 'export-worker'), input, { maxOldGenerationSizeMb: WORKER_HEAP_MB })
    } catch (err) {
      this.opts.log.error({ err, job: job.id }, 'export worker did not start')
      lease?.release()
      this.running.delete(entry)
      this.finish(entry, 'failed', 'Failed', 'worker_crashed')
      return
    }
    entry.worker = worker
    worker.on('message', (message: ExportWorkerMessage) => this.onMessage(entry, message))
    worker.on('error', (err) => {
      this.opts.log.error({ err, job: job.id }, 'export worker failed')
      if (job.state === 'running') this.finish(entry, 'failed', 'Failed', 'worker_crashed')
    })
    worker.on('exit', () => {
      entry.worker = null
      lease?.release()
      this.running.delete(entry)
      if (job.state === 'running' && !entry.delivered) this.finish(entry, 'failed', 'Failed', 'worker_crashed')
      // Whatever a stopped job left is removed only now: until its thread is gone it could write.
      if (job.state !== 'done' && !(job.state === 'running' && entry.delivered)) this.removeFiles(entry)
      this.pump()
    })
  }

  private onMessage(entry: Entry, message: ExportWorkerMessage): void {
    const { job } = entry
    if (job.state !== 'running') return
    if (message.type === 'progress') {
      const progress = Math.min(0.99, Math.max(job.progress, message.fraction))
      if (progress === job.progress && message.stage === job.stage) return
      job.progress = progress
      job.stage = message.stage.slice(0, 200)
      this.emit(entry, 'progress')
    } else if (message.type === 'done') {
      entry.delivered = true
      this.terminate(entry.worker)
      this.opts.files.complete(job.id).then(
        (path) => {
          // Cancelled while the file was moved into place: [J4] deletes it.
          if (job.state !== 'running') return this.removeFiles(entry)
          entry.path = path
          job.filename = entry.file.name
          job.contentType = entry.file.contentType
          job.size = message.size
          job.progress = 1
          job.downloadUrl = `/api/exports/${job.id}/file`
          job.expiresAt = new Date(Date.now() + this.opts.ttlMs).toISOString()
          this.finish(entry, 'done', 'Ready')
          this.later(entry, this.opts.ttlMs, () => this.expire(entry, 'Expired'))
        },
        (err: unknown) => {
          this.opts.log.error({ err, job: job.id }, 'export file could not be stored')
          if (job.state === 'running') this.finish(entry, 'failed', 'Failed', 'storage_failed')
          this.removeFiles(entry)
        }
      )
    } else if (message.type === 'failed') {
      this.opts.log.warn({ job: job.id, code: message.code, reason: message.message }, 'export failed')
      this.finish(entry, 'failed', 'Failed', message.code)
    }
    // `aborted` answers a cancel or timeout, which already made the job final.
  }

  /** Asks the worker to abort; terminates it if it has not stopped after the grace period. */
  private stopWorker(entry: Entry): void {
    const worker = entry.worker
    if (!worker) return
    worker.postMessage({ type: 'abort' } satisfies ExportWorkerCommand)
    const timer = setTimeout(() => this.terminate(worker), this.opts.abortGraceMs ?? ABORT_GRACE_MS)
    timer.unref()
    worker.once('exit', () => clearTimeout(timer))
  }

  private terminate(worker: Worker | null): void {
    worker?.terminate().catch((err: unknown) => this.opts.log.warn({ err }, 'export worker did not terminate'))
  }

  /**
   * [J5]: deletes a done job's file and then reports `expired` (so whoever hears `expired`
   * finds the file gone). Downloads are refused from the start.
   */
  private expire(entry: Entry, stage: string): void {
    if (entry.job.state !== 'done' || entry.path === null) return
    entry.path = null
    const report = (): void => {
      entry.job.state = 'expired'
      entry.job.stage = stage
      entry.job.downloadUrl = null
      this.emit(entry, 'state')
      entry.listeners.clear()
      this.forgetLater(entry)
    }
    this.opts.files.remove(entry.job.id).then(report, (err: unknown) => {
      this.opts.log.warn({ err, job: entry.job.id }, 'export file could not be deleted')
      report()
    })
  }

  /** Makes a job final (unless it is already), notifies and drops its watchers. */
  private finish(entry: Entry, state: ExportState, stage: string, error: string | null = null): void {
    const { job } = entry
    if (FINAL.has(job.state)) return
    job.state = state
    job.stage = stage
    job.error = error
    job.finishedAt = new Date().toISOString()
    // A final job needs no timeout any more; expiry and forgetting are scheduled below.
    for (const t of entry.timers) clearTimeout(t)
    entry.timers.clear()
    if (state === 'cancelled' && entry.worker === null) this.removeFiles(entry)
    this.emit(entry, 'state')
    entry.listeners.clear()
    if (state !== 'done') this.forgetLater(entry)
  }

  private forgetLater(entry: Entry): void {
    this.later(entry, this.opts.ttlMs, () => this.entries.delete(entry.job.id))
  }

  private removeFiles(entry: Entry): void {
    this.opts.files.remove(entry.job.id).catch((err: unknown) => this.opts.log.warn({ err, job: entry.job.id }, 'export file could not be deleted'))
  }

  /** Starts queued jobs while there are free slots ([J1], [J2]). */
  private pump(): void {
    if (this.closed) return
    let started = false
    while (this.running.size < this.opts.concurrency && this.queue.length > 0) {
      this.run(this.queue.shift()!)
      started = true
    }
    if (started) this.renumberQueue()
  }

  private renumberQueue(): void {
    this.queue.forEach((entry, i) => {
      if (entry.job.queuePosition === i) return
      entry.job.queuePosition = i
      this.emit(entry, 'progress')
    })
  }

  private later(entry: Entry, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      entry.timers.delete(timer)
      fn()
    }, ms)
    timer.unref()
    entry.timers.add(timer)
  }

  private emit(entry: Entry, event: ExportJobEvent): void {
    const job = this.snapshot(entry)
    for (const listener of [...entry.listeners]) {
      try {
        listener(event, job)
      } catch (err) {
        this.opts.log.warn({ err, job: job.id }, 'export watcher failed')
      }
    }
  }

  private snapshot(entry: Entry): ExportJob {
    return { ...entry.job }
  }
}
