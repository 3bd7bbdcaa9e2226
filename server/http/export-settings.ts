/**
 * `/api/specs/:id/export-settings`: whether team members may export a spec's brief
 * (`teamMayExport`, default off; facilitators always may). Reading needs `spec:export`;
 * changing it `spec:export-settings` (facilitators). {@link mayExport} is the one check the
 * export routes (exports.ts) make before starting an export or a preview.
 */
import { Router } from 'express'
import { exportSettingsBody, type ExportSettingsResponse } from '../../shared/api-export-settings.js'
import type { Principal } from '../../shared/identity.js'
import type { AccessControl } from '../auth/access-control.js'
import { ExportError } from '../export/export-errors.js'
import type { AnswersStore } from '../review/answers-store.js'
import type { SpecStore } from '../storage/doc-store.js'
import { declareRoutes } from './routes.js'
import { readableSpec } from './spec-access.js'

/** Where the switch is kept (server/review/answers-store.ts, rule [A7]). */
export type ExportSettingsStore = Pick<AnswersStore, 'teamMayExport' | 'setTeamMayExport'>

/** True if `principal` may export spec `specId` now: a facilitator, or team while allowed. */
export async function mayExport(settings: ExportSettingsStore, principal: Principal, specId: string): Promise<boolean> {
  if (principal.role === 'facilitator') return true
  return principal.role === 'team' && (await settings.teamMayExport(specId))
}

/** Throws `export_not_allowed` (403) unless {@link mayExport}. */
export async function requireMayExport(settings: ExportSettingsStore, principal: Principal, specId: string): Promise<void> {
  if (!(await mayExport(settings, principal, specId))) {
    throw new ExportError('export_not_allowed', 'a facilitator has not allowed team members to export this spec')
  }
}

/** Routes of export settings, mounted under `/api/specs`. */
export function exportSettingsRouter(specs: SpecStore, access: AccessControl, settings: ExportSettingsStore): Router {
  const routes = declareRoutes(Router())

  routes.get('/:id/export-settings', 'spec:export', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, specs, access)
    const teamMayExport = await settings.teamMayExport(specId)
    const body: ExportSettingsResponse = { specId, teamMayExport, mayExport: await mayExport(settings, principal, specId) }
    res.json(body)
  })

  routes.put('/:id/export-settings', 'spec:export-settings', async (req, res) => {
    const { principal, specId } = await readableSpec(req, res, specs, access)
    const { teamMayExport } = exportSettingsBody.parse(req.body ?? {})
    await settings.setTeamMayExport(specId, teamMayExport)
    const body: ExportSettingsResponse = { specId, teamMayExport, mayExport: await mayExport(settings, principal, specId) }
    res.json(body)
  })

  return routes.router
}
