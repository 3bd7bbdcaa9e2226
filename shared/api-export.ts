/**
 * HTTP API shapes of exports: the options a facilitator picks (`POST /api/specs/:id/exports`,
 * a strict zod object: unknown fields are refused) and the job the export routes report
 * (`GET /api/exports/:id`, its SSE stream and its download). No Node or DOM imports: the export
 * dialog validates with the same schema the server does.
 */
import { z } from 'zod'

/** Formats a brief can be exported to. */
export const EXPORT_FORMATS = ['markdown', 'html', 'pdf', 'docx'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** File name extension and content type of each format. */
export const EXPORT_FILE_TYPES: Readonly<Record<ExportFormat, { extension: string; contentType: string }>> = {
  markdown: { extension: 'md', contentType: 'text/markdown; charset=utf-8' },
  html: { extension: 'html', contentType: 'text/html; charset=utf-8' },
  pdf: { extension: 'pdf', contentType: 'application/pdf' },
  docx: {
    extension: 'docx',
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
  }
}

/**
 * Which text goes into the body: `all` of it, or only team text plus the customer
 * contributions whose latest decision is `accepted` or `planned`.
 */
export const EXPORT_CONTENT = ['all', 'accepted'] as const
export type ExportContent = (typeof EXPORT_CONTENT)[number]

/** How DOCX carries attribution: Word comments in the margin, or footnotes. */
export const DOCX_ATTRIBUTION = ['comments', 'footnotes'] as const

/** Paper size of HTML print CSS and of PDFs. */
export const PAPER_SIZES = ['a4', 'letter'] as const
export type PaperSize = (typeof PAPER_SIZES)[number]

/**
 * `POST /api/specs/:id/exports` body. Attribution style follows the format: margin labels in
 * HTML and PDF, a marker plus footnote in Markdown, `docxAttribution` in DOCX.
 */
export const exportOptions = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  /** Label who wrote what (blocks and the appendix). */
  attribution: z.boolean().default(true),
  docxAttribution: z.enum(DOCX_ATTRIBUTION).default('comments'),
  content: z.enum(EXPORT_CONTENT).default('all'),
  /** Add an appendix of declined ideas with the team's reasons. */
  declinedAppendix: z.boolean().default(false),
  /** Customers become "Customer 1", "Customer 2", … everywhere, metadata included. */
  anonymise: z.boolean().default(false),
  paper: z.enum(PAPER_SIZES).default('a4')
})
export type ExportOptions = z.infer<typeof exportOptions>
/** What a caller may send: every field but `format` has a default. */
export type ExportOptionsInput = z.input<typeof exportOptions>

/** States of an export job. `done`, `failed`, `cancelled` and `expired` are final. */
export const EXPORT_STATES = ['queued', 'running', 'done', 'failed', 'cancelled', 'expired'] as const
export type ExportState = (typeof EXPORT_STATES)[number]

/** An export job as `GET /api/exports/:id` and its SSE events report it. */
export interface ExportJob {
  id: string
  specId: string
  options: ExportOptions
  state: ExportState
  /** 0..1, rises monotonically while running; 1 when done. */
  progress: number
  /** What the job is doing now, for people ("Rendering pages"). */
  stage: string
  /** Machine-readable failure code when `state` is `failed`, else null. */
  error: string | null
  /** Position among queued jobs (0 = next), null unless queued. */
  queuePosition: number | null
  /** Download name, e.g. `Q3 Roadmap.pdf`; null until done. */
  filename: string | null
  contentType: string | null
  /** File size in bytes; null until done. */
  size: number | null
  /** `GET` this to download; null until done. */
  downloadUrl: string | null
  createdAt: string
  finishedAt: string | null
  /** When the file is deleted; null until done. */
  expiresAt: string | null
}
