/**
 * What the panel parts of the Workspace share: finding a panel's list item, moving focus inside
 * it, and running an action that announces its outcome or reports its failure.
 */
import { byId } from '../../ui/dom.js'
import type { WorkspaceContext } from './context.js'

/** The `#panel-list` item of panel `id`, if shown. */
export const panelItem = (id: string): HTMLElement | null =>
  byId('panel-list').querySelector<HTMLElement>(`[data-panel-id="${CSS.escape(id)}"]`)

/** Focuses the first element matching `selector` inside panel `panelId`'s item. */
export const focusIn = (panelId: string, selector: string): void => {
  panelItem(panelId)?.querySelector<HTMLElement>(selector)?.focus()
}

/** Runs an action, reports failure, and keeps the page in sync. */
export const run = async (ctx: WorkspaceContext, action: () => Promise<string | void>): Promise<void> => {
  try {
    const message = await action()
    if (message) ctx.announce(message)
  } catch (error) {
    ctx.fail(error)
  }
}
