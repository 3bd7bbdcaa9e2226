/**
 * Export failures: one error type, {@link ExportError}, with a machine-readable code per failure
 * and the HTTP status each maps to (server/http/errors.ts turns it into the JSON error).
 */

/** HTTP status of each export failure. */
export const EXPORT_ERROR_STATUS = {
  /** No such job, or not the caller's (the same answer, so ids do not leak). */
  export_not_found: 404,
  /** The job finished but its file was deleted (expired, or discarded). */
  export_expired: 410,
  /** The file is not ready: the job is queued, running, failed or cancelled. */
  export_not_ready: 409,
  /** Every worker is busy and the queue is full ({@link ExportError.retryAfterSeconds}). */
  export_queue_full: 429,
  /** The caller has as many exports queued or running as one person may. */
  too_many_exports: 429,
  /** A team member, while the spec's facilitator has not allowed team exports. */
  export_not_allowed: 403,
  /** The preview could not be rendered. */
  preview_failed: 500
} as const

/** Machine-readable code of an export failure. */
export type ExportErrorCode = keyof typeof EXPORT_ERROR_STATUS

/** A failed export request (see {@link EXPORT_ERROR_STATUS}). */
export class ExportError extends Error {
  override name = 'ExportError'

  constructor(
    readonly code: ExportErrorCode,
    message: string,
    /** Sent as `Retry-After` with `export_queue_full`. */
    readonly retryAfterSeconds?: number
  ) {
    super(message)
  }

  /** The HTTP status of this failure. */
  get status(): number {
    return EXPORT_ERROR_STATUS[this.code]
  }
}

/**
 * Codes a job records in `ExportJob.error` when it fails (the job's state is `failed`; the
 * request that started it succeeded long before). A renderer error carrying a string `code`
 * (say `chromium_missing`) is recorded under that code instead of `render_failed`.
 */
export const JOB_FAILURES = {
  render_failed: 'the renderer failed',
  renderer_unavailable: 'the export renderer could not be loaded',
  worker_crashed: 'the export worker stopped unexpectedly',
  timeout: 'the export took too long',
  shutdown: 'the server stopped before the export finished',
  storage_failed: 'the export file could not be stored'
} as const
