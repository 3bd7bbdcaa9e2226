/**
 * The list of removed customer words, shared by the review panel (every removal, with Restore
 * for `spec:restore`) and "My ideas" (removals of the reader's own words): the text, who wrote
 * it, who removed it and when, where it stands now, and the decision that closed it.
 *
 * Rules: a lit-html template keyed on removal ids, so a live re-read updates rows in place and
 * focus stays where it was. After a restore, focus moves to that row's status line (the button
 * it was on goes away).
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import type { RemovalView } from '../../shared/api-removals.js'
import { DECISION_LABELS, REMOVAL_STATUS_LABELS } from './format.js'
import { ago, fullDate } from '../ui/relative-time.js'

/** What the removals list needs besides the removals. */
export interface RemovalsViewOptions {
  /** Show Restore buttons (`spec:restore`). */
  canRestore: boolean
  /** Removals being restored now (their button is disabled). */
  restoring: ReadonlySet<string>
  /** Failure messages of restores, by removal id. */
  errors: ReadonlyMap<string, string>
  /** Restores a removal. */
  onRestore(removal: RemovalView): void
  /** Id prefix of the elements (unique per view). */
  idPrefix: string
  /** Text shown when there is nothing. */
  empty: string
}

/** Removals that can still be put back. */
export const restorable = (removal: RemovalView): boolean => removal.status === 'open' || removal.status === 'closed'

/** Element id of a removal's status line (focused after a restore). */
export const removalStatusId = (prefix: string, removalId: string): string => `${prefix}-status-${removalId}`

const statusLine = (r: RemovalView): TemplateResult => {
  if (r.status === 'restored') {
    const by = r.restoredBy ? ` by ${r.restoredBy.displayName}` : ''
    return html`${REMOVAL_STATUS_LABELS.restored}${by}${r.restoredAt ? html`, <time datetime=${r.restoredAt} title=${fullDate(r.restoredAt)}>${ago(r.restoredAt)}</time>` : nothing}`
  }
  if (r.status === 'closed' && r.decision) {
    const note = r.decision.note ? html`: <q>${r.decision.note}</q>` : nothing
    return html`${REMOVAL_STATUS_LABELS.closed} (${DECISION_LABELS[r.decision.state]})${note}`
  }
  return html`${REMOVAL_STATUS_LABELS[r.status]}`
}

const short = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text)

const row = (r: RemovalView, o: RemovalsViewOptions): TemplateResult => html`
  <li class="removal" data-removal-id=${r.id} data-status=${r.status}>
    <blockquote class="removal-text">${r.text}</blockquote>
    <p class="removal-meta">
      Written by <strong>${r.author.displayName}</strong>, removed by <strong>${r.removedBy.displayName}</strong>
      <time datetime=${r.removedAt} title=${fullDate(r.removedAt)}>${ago(r.removedAt)}</time>
    </p>
    <p class="removal-status" id=${removalStatusId(o.idPrefix, r.id)} tabindex="-1" data-status=${r.status}>${statusLine(r)}</p>
    ${o.canRestore && restorable(r)
      ? html`<button
          type="button"
          class="button button-small button-secondary"
          data-action="restore"
          aria-label=${`Restore “${short(r.text)}”`}
          ?disabled=${o.restoring.has(r.id)}
          @click=${() => o.onRestore(r)}
        >
          ${o.restoring.has(r.id) ? 'Restoring…' : 'Restore'}
        </button>`
      : nothing}
    ${o.errors.has(r.id) ? html`<p class="error-message" role="alert">${o.errors.get(r.id)}</p>` : nothing}
  </li>
`

/** The removals as a keyed list (or the `empty` text). */
export const removalsTemplate = (removals: readonly RemovalView[], options: RemovalsViewOptions): TemplateResult =>
  removals.length === 0
    ? html`<p class="muted review-empty">${options.empty}</p>`
    : html`<ul class="removal-list">
        ${repeat(removals, (r) => r.id, (r) => row(r, options))}
      </ul>`
