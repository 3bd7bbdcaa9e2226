/**
 * The seam between the export job runner and the renderers.
 *
 * Why a plain-data source: a job renders off the event loop (a worker thread or child
 * process), so everything a renderer needs is gathered on the main thread first, from the
 * same code that answers the HTTP API (the room's `attribution()`, the contribution and
 * decision stores, the identity directory), and handed over as structured-clonable data.
 * The renderers never touch a room, a store or the network, which also makes them pure
 * functions of (source, options) for tests and `npm run bench`.
 */
import type { ExportFormat, ExportOptions } from '../../shared/api-export.js'
import type { DecisionState } from '../../shared/api-review.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import type { Role } from '../../shared/permissions.js'

/** A participant as exports may name them (before anonymising). */
export interface ExportParticipant {
  id: string
  displayName: string
  role: Role | null
  /** Panels they belong to (customers and viewers), by id. */
  panelIds: string[]
  /** Only ever used to prove it is absent from anonymised output; never rendered. */
  email: string | null
}

/** One customer contribution with its latest decision. */
export interface ExportContribution {
  id: string
  authorId: string
  text: string
  state: DecisionState
  /** The team's note on the latest decision (declined ideas list it as the reason). */
  note: string | null
  decidedAt: string | null
  /**
   * Where its words are in {@link ExportSource.doc}: per block path (as in attribution), the
   * character ranges `[from, to)` of that block's text, in the block's run coordinates.
   */
  ranges: { path: number[]; from: number; to: number }[]
}

/** Everything a renderer needs, as structured-clonable data (see the module comment). */
export interface ExportSource {
  spec: { id: string; title: string; createdAt: string; updatedAt: string }
  /** "Live document" until saved versions exist; then the version's label. */
  versionLabel: string
  /** ISO-8601 time the source was gathered. */
  exportedAt: string
  facilitator: { id: string; displayName: string } | null
  panels: { id: string; name: string }[]
  /** The ProseMirror document as JSON (`node.toJSON()`), the same state `attribution` describes. */
  doc: unknown
  /** Exactly what `GET /api/specs/:id/attribution` returns for that state. */
  attribution: SpecAttribution
  participants: ExportParticipant[]
  contributions: ExportContribution[]
}

/** A rendered export. */
export interface ExportFile {
  bytes: Uint8Array
  filename: string
  contentType: string
}

/** Progress callback: `fraction` 0..1 (monotonic), `stage` for people ("Printing PDF"). */
export type ExportProgress = (fraction: number, stage: string) => void

/** Renderer options beyond the user's: where Chromium lives (PDF only). */
export interface RenderEnvironment {
  chromiumPath: string
  /**
   * WebSocket endpoint of the server's shared browser (shared-browser.ts): a PDF job connects
   * to it instead of launching Chromium. Absent: the job launches its own.
   */
  browserEndpoint?: string
}

/**
 * Renders one export. Implemented in `render-export.ts`; called inside the job worker.
 * Must stop promptly (rejecting with an `AbortError`) when `signal` aborts, leaving no file
 * or browser process behind.
 */
export type RenderExport = (
  source: ExportSource,
  options: ExportOptions,
  env: RenderEnvironment,
  progress: ExportProgress,
  signal: AbortSignal
) => Promise<ExportFile>

export type { ExportFormat, ExportOptions }
