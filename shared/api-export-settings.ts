/**
 * Who may export a spec's brief: facilitators always; team members when a facilitator allowed
 * it for that spec (`teamMayExport`, default off). `GET`/`PUT /api/specs/:id/export-settings`.
 * Also the query of the dialog's preview (`GET /api/specs/:id/exports/preview`), which carries
 * export options as URL parameters so that a sandboxed `<iframe src>` can load it.
 */
import { z } from 'zod'
import { exportOptions, type ExportOptions, type ExportOptionsInput } from './api-export.js'

/** `PUT /api/specs/:id/export-settings` body. */
export const exportSettingsBody = z.strictObject({ teamMayExport: z.boolean() })

/** `GET`/`PUT /api/specs/:id/export-settings` answer. */
export interface ExportSettingsResponse {
  specId: string
  teamMayExport: boolean
  /** Whether the caller may export this spec now (their role and the setting). */
  mayExport: boolean
}

const BOOLEAN_FIELDS = ['attribution', 'declinedAppendix', 'anonymise'] as const

/** Export options as preview URL parameters (booleans as `true`/`false`). */
export function previewQuery(options: ExportOptionsInput): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(options)) if (value !== undefined) params.set(key, String(value))
  return params.toString()
}

/**
 * Parses preview URL parameters back into options (the same strict schema as the export
 * itself: unknown parameters are refused). The format is always `html`: the preview shows the
 * HTML brief whatever format will be exported.
 * @throws z.ZodError for a malformed query.
 */
export function parsePreviewQuery(query: Record<string, unknown>): ExportOptions {
  const input: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query)) {
    input[key] = (BOOLEAN_FIELDS as readonly string[]).includes(key) && (value === 'true' || value === 'false') ? value === 'true' : value
  }
  return exportOptions.parse({ ...input, format: 'html' })
}
