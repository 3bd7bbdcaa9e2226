/**
 * The editor header's Export button: shown to facilitators, and to team members while a
 * facilitator allows team exports for the spec (the server's `mayExport`; it checks again on
 * every export). It opens the {@link ExportDialog}.
 */
import type { Role } from '../../shared/permissions.js'
import { can } from '../../shared/permissions.js'
import { getExportSettings } from '../api/exports.js'
import { ExportDialog } from './export-dialog.js'
import { h } from './dom.js'

/** Adds the Export button to `container` when the caller may export; returns a teardown. */
export function mountExportButton(specId: string, role: Role, container: HTMLElement): () => void {
  if (!can(role, 'spec:export')) return () => {}
  let button: HTMLButtonElement | null = null
  let stopped = false
  getExportSettings(specId)
    .then((settings) => {
      if (stopped || !settings.mayExport) return
      const dialog = new ExportDialog({ specId, teamMayExport: can(role, 'spec:export-settings') ? settings.teamMayExport : null })
      button = h('button', { type: 'button', id: 'export-open', className: 'button button-small button-secondary', attrs: { 'aria-haspopup': 'dialog' } }, h('span', {}, 'Export'))
      button.addEventListener('click', () => dialog.open())
      container.append(button)
    })
    .catch(() => {
      // Offline or not allowed: no button (the server refuses exports anyway).
    })
  return () => {
    stopped = true
    button?.remove()
  }
}
