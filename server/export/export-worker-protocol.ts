/**
 * What the job runner (export-jobs.ts) and its worker thread (export-worker.ts) say to each
 * other. Kept apart from the worker module, which runs its job as soon as it is imported.
 */
import type { ExportOptions } from '../../shared/api-export.js'
import type { ExportSource, RenderEnvironment } from './export-types.js'

/** `workerData` of an export worker: everything one job needs, structured-clonable. */
export interface ExportWorkerInput {
  source: ExportSource
  options: ExportOptions
  env: RenderEnvironment
  /** Module URL exporting `renderExport` (render-export.ts; tests inject another). */
  rendererUrl: string
  /** Where the worker writes the file; the runner renames it once the job is done. */
  partPath: string
}

/** Worker to runner. Exactly one of `done`, `failed`, `aborted` is sent, last. */
export type ExportWorkerMessage =
  | { type: 'progress'; fraction: number; stage: string }
  | { type: 'done'; filename: string; contentType: string; size: number }
  | { type: 'failed'; code: string; message: string }
  | { type: 'aborted' }

/** Runner to worker: stop now (the renderer's `AbortSignal` aborts). */
export type ExportWorkerCommand = { type: 'abort' }
