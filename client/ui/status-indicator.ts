/**
 * The save status shown in the editor header. Driven only by the {@link SaveTracker}'s state,
 * so it says "Saved" exactly when the server has acknowledged every local change.
 *
 * Markup: `<div id="save-status" role="status" aria-live="polite" data-status="saved">`.
 */
import type { SaveState, SaveStatus } from '../../shared/save-status.js'
import { closeMessage } from '../collab/close-reasons.js'

const texts: Record<Exclude<SaveStatus, 'closed'>, string> = {
  connecting: 'Connecting…',
  saving: 'Saving…',
  saved: 'Saved',
  'offline-unsaved': 'Offline: changes kept on this device',
  reconnecting: 'Reconnecting…'
}

/** The text for a state. */
export const statusText = (state: SaveState): string =>
  state.status === 'closed' ? closeMessage(state.closeCode, state.closeReason) : texts[state.status]

/** Renders save states into a live region, touching the DOM only when something changed. */
export class StatusIndicator {
  private readonly label: HTMLElement

  constructor(private readonly element: HTMLElement) {
    element.setAttribute('role', 'status')
    element.setAttribute('aria-live', 'polite')
    element.classList.add('save-status')
    const dot = document.createElement('span')
    dot.className = 'save-status-dot'
    dot.setAttribute('aria-hidden', 'true')
    this.label = document.createElement('span')
    this.label.className = 'save-status-text'
    element.replaceChildren(dot, this.label)
  }

  private stopped = false

  /** Shows `state` (unless {@link stop} was called). */
  render(state: SaveState): void {
    if (this.stopped) return
    const text = statusText(state)
    if (this.element.dataset.status !== state.status) this.element.dataset.status = state.status
    if (this.label.textContent !== text) this.label.textContent = text
  }

  /**
   * Shows a final message (the page stopped connecting, e.g. signed out) and ignores later
   * states, which would only describe the deliberately closed socket.
   */
  stop(text: string): void {
    this.stopped = true
    this.element.dataset.status = 'closed'
    this.label.textContent = text
  }
}
