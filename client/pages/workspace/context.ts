/**
 * What the workspace sections share: the loaded specs and panels, the signed-in facilitator,
 * and page-level feedback (a status line and an error line).
 */
import type { Me } from '../../api/auth.js'
import type { Panel } from '../../api/workspace.js'
import type { Spec } from '../../api/specs.js'

/** The workspace's shared state and feedback channels. */
export interface WorkspaceContext {
  me: Me
  specs: Spec[]
  panels: Panel[]
  /** Says something in the page's status line (`#workspace-status`, polite). */
  announce(text: string): void
  /** Shows an error in the page's alert line (`#workspace-error`). */
  fail(error: unknown): void
  /** Reloads specs and panels and re-renders the sections that show them. */
  refresh(): Promise<void>
}

const absolute = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium' })

/** "Mar 3, 2026, 2:05 PM" for an ISO date, or `fallback`. */
export const formatTime = (iso: string | null | undefined, fallback = '—'): string => {
  const t = iso ? Date.parse(iso) : NaN
  return Number.isNaN(t) ? fallback : absolute.format(t)
}

/** "Mar 3, 2026" for an ISO date, or `fallback`. */
export const formatDate = (iso: string | null | undefined, fallback = '—'): string => {
  const t = iso ? Date.parse(iso) : NaN
  return Number.isNaN(t) ? fallback : dateOnly.format(t)
}

/** A small button with a `data-action` and an accessible name naming its object. */
export const actionButton = (
  action: string,
  text: string,
  label: string,
  variant: 'secondary' | 'danger-quiet' | 'primary' = 'secondary'
): HTMLButtonElement => {
  const b = document.createElement('button')
  b.type = 'button'
  b.className = `button button-small button-${variant}`
  b.dataset.action = action
  b.textContent = text
  if (label !== text) b.setAttribute('aria-label', label)
  return b
}

/** Absolute form of a URL the server returned (it may send a path). */
export const absoluteUrl = (url: string): string => {
  try {
    return new URL(url, window.location.origin).href
  } catch {
    return url
  }
}
