/**
 * Export jobs: the rules any job runner keeps, the {@link ExportJobs} interface and its types.
 * `local-export-jobs.ts` implements it in this process: a FIFO queue in front of at most
 * `concurrency` worker threads, each rendering one job (export-worker.ts).
 *
 * Rules (test/server/exports*.test.ts):
 * - [J1] `start` runs the job at once when fewer than `concurrency` workers are alive, else
 *   queues it; with `queueLimit` jobs queued already it throws `export_queue_full` (429) and
 *   keeps nothing. Queued jobs start in the order they were started. One person may have
 *   {@link MAX_ACTIVE_PER_OWNER} jobs queued or running (more: `too_many_exports`, 429), so
 *   nobody can fill the queue for everyone else.
 * - [J2] A slot is freed only when its worker thread has exited, so no more than
 *   `concurrency` renderers ever run, even while a cancelled one winds down.
 * - [J3] Progress only rises; `done` means the file is complete in the export folder (written
 *   to `<id>.part` by the worker, renamed by the runner) with its size, name and type.
 * - [J4] `cancel` is final at once: the job reports `cancelled`, its worker is told to abort
 *   and terminated after `abortGraceMs` ({@link ABORT_GRACE_MS}) if still alive, and every file of the job is
 *   deleted once the worker is gone (and again at once, for a file already complete).
 *   Cancelling a done job deletes its file early (state `expired`); other final jobs stay as
 *   they are.
 * - [J5] A done job's file is deleted `ttlMs` after it finished and the job reports `expired`.
 *   Final jobs are forgotten `ttlMs` after they became final (then: not found).
 * - [J6] Watchers get `progress` events (progress, stage, queue position) and `state` events;
 *   after a final state they get nothing more and are dropped.
 *
 * State lives in this process's memory: several server instances would need a shared job
 * table (the {@link ExportJobs} interface is what such a table would implement).
 */
import type { ExportJob, ExportOptions } from '../../shared/api-export.js'
import type { ExportSource } from './export-types.js'


/** How long an aborted worker may take to stop before it is terminated. */
export const ABORT_GRACE_MS = 3_000
/** A job still running after this long fails with `timeout`. */
export const JOB_TIMEOUT_MS = 10 * 60_000
/** Jobs one participant may have queued or running at once. */
export const MAX_ACTIVE_PER_OWNER = 3

/** Job ids: `x` and 32 hex digits (unguessable; also the file names). */
export const EXPORT_JOB_ID = /^x[0-9a-f]{32}$/

/** What a watcher hears: `progress` (progress, stage, queue position) or `state`. */
export type ExportJobEvent = 'progress' | 'state'
/** A watcher of one job; `job` is a snapshot. */
export type ExportJobListener = (event: ExportJobEvent, job: ExportJob) => void

/** A job with whom it belongs to. */
export interface ExportJobRecord {
  job: ExportJob
  /** The participant who started it. */
  ownerId: string
}

/** A finished file, ready to send. */
export interface ExportDownload {
  path: string
  filename: string
  contentType: string
  size: number
}

/** What {@link ExportJobs.start} needs. */
export interface StartExport {
  specId: string
  ownerId: string
  options: ExportOptions
  /** Gathered on the main thread (export-source.ts), handed to the worker as it is. */
  source: ExportSource
  /** The download name, e.g. `Q3 Roadmap.pdf` (already safe: see content-disposition.ts). */
  filename: string
}

/** The job table: small on purpose, so a shared one (several instances) can implement it. */
export interface ExportJobs {
  /** Starts or queues a job ([J1]); throws ExportError `export_queue_full`. */
  start(request: StartExport): ExportJob
  /** The job and its owner, or null if unknown (or forgotten, [J5]). */
  get(id: string): ExportJobRecord | null
  /** Cancels a job ([J4]); returns it, or null if unknown. */
  cancel(id: string): ExportJob | null
  /** The finished file; throws ExportError `export_not_found`, `export_expired` or `export_not_ready`. */
  download(id: string): ExportDownload
  /** Calls `listener` on every change of the job until it is final ([J6]); returns an unsubscribe, or null if unknown. */
  watch(id: string, listener: ExportJobListener): (() => void) | null
  /** Stops every worker, deletes every file. */
  close(): Promise<void>
}
