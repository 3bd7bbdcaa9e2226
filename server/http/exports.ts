/**
 * Export routes (README "HTTP API"): start an export of a spec's brief, follow it (JSON or
 * server-sent events), cancel it, download the file, and preview the HTML brief.
 *
 * - Every route needs `spec:export` (facilitators; team members too, but starting an export or
 *   a preview also needs the spec's `teamMayExport`, export-settings.ts).
 * - A job belongs to whoever started it: only they, or a facilitator, see, follow, cancel or
 *   download it; anyone else gets 404 `export_not_found`, as for an id that does not exist.
 * - The source is gathered here, on the main thread, from the same code the API answers with;
 *   the job renders it in a worker thread (server/export/export-jobs.ts).
 * - Downloads and previews carry text people typed (the title) in a header only through
 *   content-disposition.ts; previews are served under a `sandbox` CSP, so a brief cannot run
 *   script even if a renderer let markup through.
 */
import fs from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Router, type Request, type Response } from 'express'
import { EXPORT_FILE_TYPES, exportOptions, type ExportJob, type ExportOptions } from '../../shared/api-export.js'
import { parsePreviewQuery } from '../../shared/api-export-settings.js'
import type { Principal } from '../../shared/identity.js'
import type { AccessControl } from '../auth/access-control.js'
import { ExportError } from '../export/export-errors.js'
import { EXPORT_JOB_ID, type ExportJobRecord, type ExportJobs } from '../export/export-jobs.js'
import type { ExportSource } from '../export/export-types.js'
import { ExportSourceError } from '../export/export-source.js'
import type { SpecStore } from '../storage/doc-store.js'
import { param, principalOf } from './auth-middleware.js'
import { attachment, safeFilename } from './content-disposition.js'
import { openEventStream } from './event-stream.js'
import { requireMayExport, type ExportSettingsStore } from './export-settings.js'
import { HttpError } from './errors.js'
import { declareRoutes } from './routes.js'
import { readableSpec } from './spec-access.js'

/**
 * The preview's own Content-Security-Policy: a sandbox without scripts (an opaque origin, no
 * forms, no popups), nothing loaded but inline styles and data: images, framable only by this
 * origin's pages (the editor's export dialog).
 */
export const PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

/** What the export routes use. */
export interface ExportsRouterDeps {
  specs: SpecStore
  access: AccessControl
  settings: ExportSettingsStore
  jobs: ExportJobs
  /** Gathers what a renderer needs (server/export/export-source.ts). */
  source(specId: string, requestedBy: string): Promise<ExportSource>
  /** Renders the HTML brief at once, on this thread (HTML is fast). */
  preview(source: ExportSource, options: ExportOptions): Promise<string>
  /** Time between SSE heartbeats (default 15 s). */
  heartbeatMs?: number
}

const FINAL = new Set<ExportJob['state']>(['done', 'failed', 'cancelled', 'expired'])

/** Export routes, mounted on `/api`. */
export function exportsRouter(deps: ExportsRouterDeps): Router {
  const routes = declareRoutes(Router())
  const { jobs } = deps

  /** The job of the path if the caller may see it (its owner, or a facilitator); else 404. */
  const ownJob = (req: Request, res: Response): { principal: Principal; record: ExportJobRecord } => {
    const principal = principalOf(res)
    const id = param(req, 'id')
    const record = EXPORT_JOB_ID.test(id) ? jobs.get(id) : null
    if (!record || (record.ownerId !== principal.participantId && principal.role !== 'facilitator')) {
      throw new ExportError('export_not_found', 'export not found')
    }
    return { principal, record }
  }

  const gather = async (specId: string, principal: Principal): Promise<ExportSource> => {
    try {
      return await deps.source(specId, principal.participantId)
    } catch (err) {
      // The spec was deleted meanwhile, or is changing too fast to read whole.
      if (!(err instanceof ExportSourceError)) throw err
      if (err.code === 'spec_not_found') throw new HttpError(404, 'spec_not_found', 'spec not found')
      throw new HttpError(409, 'spec_busy', 'the spec is changing too fast to export; try again')
    }
  }

  routes.post('/specs/:id/exports', 'spec:export', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, deps.specs, deps.access)
    const options = exportOptions.parse(req.body ?? {})
    await requireMayExport(deps.settings, principal, specId)
    const source = await gather(specId, principal)
    const filename = safeFilename(source.spec.title, EXPORT_FILE_TYPES[options.format].extension)
    const job = jobs.start({ specId, ownerId: principal.participantId, options, source, filename })
    res.status(202).location(`/api/exports/${job.id}`).json({ job })
  })

  routes.get('/specs/:id/exports/preview', 'spec:export', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, deps.specs, deps.access)
    const options = parsePreviewQuery(req.query as Record<string, unknown>)
    await requireMayExport(deps.settings, principal, specId)
    const html = await deps.preview(await gather(specId, principal), options)
    res.setHeader('Content-Security-Policy', PREVIEW_CSP)
    res.setHeader('X-Frame-Options', 'SAMEORIGIN')
    res.setHeader('Cache-Control', 'no-store')
    res.type('html').send(html)
  })

  routes.get('/exports/:id', 'spec:export', (req, res) => {
    res.json({ job: ownJob(req, res).record.job })
  })

  routes.get('/exports/:id/events', 'spec:export', (req, res) => {
    const { job } = ownJob(req, res).record
    let unwatch = (): void => {}
    const stream = openEventStream(req, res, () => unwatch(), deps.heartbeatMs)
    stream.send('state', job)
    if (FINAL.has(job.state)) return stream.end()
    // Same turn as the read above: no change can fall between them.
    unwatch =
      jobs.watch(job.id, (event, next) => {
        stream.send(event, next)
        if (FINAL.has(next.state)) stream.end()
      }) ?? unwatch
  })

  routes.delete('/exports/:id', 'spec:export', (req, res) => {
    jobs.cancel(ownJob(req, res).record.job.id)
    res.status(204).end()
  })

  routes.get('/exports/:id/file', 'spec:export', async (req, res) => {
    const file = jobs.download(ownJob(req, res).record.job.id)
    let handle: fs.promises.FileHandle
    try {
      // Open first: once open, the file can expire (be unlinked) while it is being sent.
      handle = await fs.promises.open(file.path)
    } catch {
      throw new ExportError('export_expired', 'this export has expired; export again')
    }
    res.setHeader('Content-Type', file.contentType)
    res.setHeader('Content-Length', String(file.size))
    res.setHeader('Content-Disposition', attachment(file.filename))
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Cache-Control', 'private, no-store')
    try {
      await pipeline(handle.createReadStream(), res)
    } catch {
      // The client went away mid-download: nothing to answer; the stream closed the handle.
    }
  })

  return routes.router
}
