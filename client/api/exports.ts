/**
 * Fetch wrappers for exports (README "HTTP API"): who may export a spec, starting and
 * cancelling an export, the URLs of its event stream and of the dialog's preview. Every call
 * goes through `api/http.ts` (JSON, CSRF, {@link ApiError}).
 */
import type { ExportJob, ExportOptions } from '../../shared/api-export.js'
import { previewQuery, type ExportSettingsResponse } from '../../shared/api-export-settings.js'
import { badResponse, field, isRecord, request, seg } from './http.js'

export type { ExportJob, ExportOptions, ExportSettingsResponse }

const settingsOf = (body: unknown): ExportSettingsResponse => {
  if (!isRecord(body) || typeof body.teamMayExport !== 'boolean' || typeof body.mayExport !== 'boolean') throw badResponse()
  return body as unknown as ExportSettingsResponse
}

/** Whether the caller may export `specId`, and whether team members may. */
export const getExportSettings = async (specId: string): Promise<ExportSettingsResponse> =>
  settingsOf(await request('GET', `/api/specs/${seg(specId)}/export-settings`))

/** Lets team members export `specId`, or stops them (facilitators). */
export const putExportSettings = async (specId: string, teamMayExport: boolean): Promise<ExportSettingsResponse> =>
  settingsOf(await request('PUT', `/api/specs/${seg(specId)}/export-settings`, { teamMayExport }))

/** Starts an export; the job is queued or running. */
export const startExport = async (specId: string, options: ExportOptions): Promise<ExportJob> =>
  field<ExportJob>(await request('POST', `/api/specs/${seg(specId)}/exports`, options), 'job')

/** An export job as the server has it now (404 `export_not_found` once forgotten or not yours). */
export const getExport = async (jobId: string): Promise<ExportJob> =>
  field<ExportJob>(await request('GET', `/api/exports/${seg(jobId)}`), 'job')

/** Cancels an export (its file, if any, is deleted). */
export const cancelExport = async (jobId: string): Promise<void> => {
  await request('DELETE', `/api/exports/${seg(jobId)}`)
}

/** The job's server-sent events (`progress`, `state`; the stream ends after a final state). */
export const exportEventsUrl = (jobId: string): string => `/api/exports/${seg(jobId)}/events`

/** The HTML brief for `options`, to load in a sandboxed iframe. */
export const exportPreviewUrl = (specId: string, options: ExportOptions): string =>
  `/api/specs/${seg(specId)}/exports/preview?${previewQuery(options)}`
