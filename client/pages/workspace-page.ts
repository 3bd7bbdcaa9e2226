/**
 * The facilitator's workspace (`/workspace`): specs, panels (specs, members, invite links),
 * team members and API tokens. Other roles get a friendly "only facilitators" message.
 */
import { can } from '../../shared/permissions.js'
import { listPanels } from '../api/workspace.js'
import { listSpecs } from '../api/specs.js'
import { renderSessionArea, requireSession } from '../session.js'
import { byId, h, messageOf } from '../ui/dom.js'
import type { WorkspaceContext } from './workspace/context.js'
import { renderMembers, setupMembers } from './workspace/members-section.js'
import { renderPanels, setupPanels } from './workspace/panels-section.js'
import { renderSpecs, setupSpecs } from './workspace/specs-section.js'
import { renderTokens, setupTokens } from './workspace/tokens-section.js'

const status = byId('workspace-status')
const errorBox = byId('workspace-error')

const showDenied = (): void => {
  status.textContent = ''
  byId('main').replaceChildren(
    h('h1', { id: 'workspace-heading' }, 'Workspace'),
    h(
      'p',
      { id: 'workspace-denied', className: 'notice' },
      'Only facilitators can manage the workspace. You can still open the specs shared with you.'
    ),
    h('a', { className: 'button button-primary', href: '/' }, 'Go to your specs')
  )
}

const boot = async (): Promise<void> => {
  const session = await requireSession()
  renderSessionArea(byId('session'), session)
  if (!can(session.me.role, 'panel:manage')) return showDenied()

  const ctx: WorkspaceContext = {
    me: session.me,
    specs: [],
    panels: [],
    announce: (text) => {
      errorBox.textContent = ''
      status.textContent = text
    },
    fail: (error) => {
      errorBox.textContent = messageOf(error)
    },
    refresh: async () => {
      const [specs, panels] = await Promise.all([listSpecs(), listPanels()])
      ctx.specs = specs
      ctx.panels = panels
      renderSpecs(ctx)
      renderPanels(ctx)
    }
  }
  setupSpecs(ctx)
  setupPanels(ctx)
  setupMembers(ctx)
  setupTokens(ctx)
  // Each section loads on its own: one failing list still leaves the others usable.
  const results = await Promise.allSettled([ctx.refresh(), renderMembers(ctx), renderTokens(ctx)])
  byId('workspace-content').hidden = false
  status.textContent = `${ctx.specs.length} ${ctx.specs.length === 1 ? 'spec' : 'specs'} · ${ctx.panels.length} ${ctx.panels.length === 1 ? 'panel' : 'panels'}`
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) ctx.fail(failed.reason)
}

boot().catch((error: unknown) => {
  status.textContent = 'Could not load the workspace.'
  errorBox.textContent = messageOf(error)
})
