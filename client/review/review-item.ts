/**
 * One contribution in the review panel: its excerpt as the button that selects it (scrolls the
 * editor to its words and highlights them; Enter and Space work as on any button), the
 * contributor, panels, customer share, thread count and age, its decision and note, and the
 * form that records a new decision (state, note to the contributor, Save).
 *
 * Rules: pure template over the values passed in; the form keeps what the reviewer typed in
 * `draft` (owned by the panel), so a live re-read never overwrites unsaved input.
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import { MAX_NOTE_LENGTH, type DecisionState } from '../../shared/api-review.js'
import { DECISION_LABELS, DECISION_OPTIONS, plural, type ContributionItem } from './format.js'
import { ago, fullDate } from '../ui/relative-time.js'

/** What the reviewer typed but did not save yet. */
export interface DecisionDraft {
  state: DecisionState
  note: string
}

/** Everything one item shows and does. */
export interface ReviewItemProps {
  c: ContributionItem
  name: string
  panels: string[]
  /** Customer share in percent, or null when its words are not in the document. */
  share: number | null
  threads: number
  /** Its removals still open (words gone that nobody restored or answered). */
  openRemovals: number
  /** The contribution's conversation (engineer E's thread view), or nothing. */
  thread: TemplateResult | typeof nothing
  selected: boolean
  /** The reviewer may record decisions (`spec:review`). */
  canDecide: boolean
  draft: DecisionDraft | undefined
  saving: boolean
  /** "Saved" after a save, or a failure message. */
  message: { text: string; error: boolean } | undefined
  onSelect(): void
  onDraft(draft: DecisionDraft): void
  onSave(draft: DecisionDraft): void
}

/** The excerpt as the button text of an item; says so once none of its text is left. */
export const excerptOf = (c: ContributionItem): TemplateResult =>
  c.chars > 0 && c.excerpt.trim() !== ''
    ? html`<span class="visually-hidden">Show in the spec: </span><span class="review-excerpt" id=${excerptId(c)}>${c.excerpt}</span>`
    : html`<span class="review-excerpt is-gone" id=${excerptId(c)}>All of its text was removed</span>`

/** Id of an item's excerpt: the decision controls are described by it (which idea they decide). */
const excerptId = (c: ContributionItem): string => `excerpt-${c.id}`

const decisionForm = (p: ReviewItemProps): TemplateResult => {
  const { c } = p
  const current: DecisionDraft = p.draft ?? { state: c.state, note: c.decision?.note ?? '' }
  const stateId = `decision-state-${c.id}`
  const noteId = `decision-note-${c.id}`
  const unchanged = current.state === c.state && current.note.trim() === (c.decision?.note ?? '')
  // aria-disabled, not disabled: the button keeps the focus through saving and re-rendering.
  const blocked = p.saving || unchanged
  const submit = (event: Event): void => {
    event.preventDefault()
    if (!blocked) p.onSave(current)
  }
  return html`
    <form class="review-decide" @submit=${submit}>
      <div class="review-decide-row">
        <label class="review-decide-label" for=${stateId}>Decision</label>
        <select
          id=${stateId}
          aria-describedby=${excerptId(c)}
          name="state"
          data-field="state"
          @change=${(e: Event) => p.onDraft({ ...current, state: (e.target as HTMLSelectElement).value as DecisionState })}
        >
          ${DECISION_OPTIONS.map((o) => html`<option value=${o.value} .selected=${o.value === current.state}>${o.label}</option>`)}
        </select>
      </div>
      <label class="review-decide-label" for=${noteId}>Note to the contributor <span class="optional">(optional)</span></label>
      <textarea
        id=${noteId}
        aria-describedby=${excerptId(c)}
        name="note"
        data-field="note"
        rows="2"
        maxlength=${MAX_NOTE_LENGTH}
        .value=${current.note}
        @input=${(e: Event) => p.onDraft({ ...current, note: (e.target as HTMLTextAreaElement).value })}
      ></textarea>
      <div class="review-decide-actions">
        <button type="submit" class="button button-small button-primary" data-action="save-decision" aria-describedby=${excerptId(c)} aria-disabled=${blocked ? 'true' : 'false'}>
          ${p.saving ? 'Saving…' : 'Save decision'}
        </button>
        <span class=${p.message?.error ? 'review-decide-message is-error' : 'review-decide-message'} role="status">${p.message?.text ?? ''}</span>
      </div>
    </form>
  `
}

/** The template of one review item (`li[data-contribution-id]`). */
export const reviewItemTemplate = (p: ReviewItemProps): TemplateResult => {
  const { c } = p
  const decided = c.decision
  return html`
    <li class=${p.selected ? 'review-item is-selected' : 'review-item'} data-contribution-id=${c.id} data-state=${c.state}>
      <button type="button" class="review-item-select" data-action="select" aria-current=${p.selected ? 'true' : 'false'} @click=${p.onSelect}>
        ${excerptOf(c)}
      </button>
      <p class="review-item-meta">
        <strong class="review-contributor">${p.name}</strong>
        ${p.panels.length > 0 ? html`<span>${p.panels.join(', ')}</span>` : nothing}
        ${p.share !== null ? html`<span class="review-share">${p.share}% customer share</span>` : nothing}
        <span class="review-threads">${plural(p.threads, 'thread')}</span>
        ${p.openRemovals > 0 ? html`<span class="review-removed">${plural(p.openRemovals, 'open removal')}</span>` : nothing}
        <time datetime=${c.createdAt} title=${fullDate(c.createdAt)}>${ago(c.createdAt)}</time>
      </p>
      <p class="review-decision">
        <span class="decision-badge" data-state=${c.state}>${DECISION_LABELS[c.state]}</span>
        ${decided ? html`<span class="muted">decided ${ago(decided.decidedAt)}</span>` : nothing}
      </p>
      ${decided?.note ? html`<p class="review-note"><span class="review-note-label">Note:</span> ${decided.note}</p>` : nothing}
      ${p.thread}
      ${p.canDecide ? decisionForm(p) : nothing}
    </li>
  `
}
