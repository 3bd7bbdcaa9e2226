/**
 * The review panel's header parts: counts by decision at a glance, the filters (panel,
 * participant, decision) and the sort (newest, most discussed), and the facilitator's
 * "Decisions visible to customers" switch. Also the pure filtering and sorting they drive.
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import { DECISION_STATES, type ContributionCounts, type DecisionState } from '../../shared/api-review.js'
import { DECISION_LABELS, type ContributionItem } from './format.js'

/** How the list is sorted. */
export type ReviewSort = 'newest' | 'discussed'

/** The chosen filters; '' means all. */
export interface ReviewFilters {
  panel: string
  participant: string
  decision: DecisionState | ''
  sort: ReviewSort
}

/** No filter, newest first. */
export const NO_FILTERS: ReviewFilters = { panel: '', participant: '', decision: '', sort: 'newest' }

/** Contributions that pass `f`, sorted by it (`comments` gives how discussed each is). */
export const applyFilters = (
  items: readonly ContributionItem[],
  f: ReviewFilters,
  comments: (c: ContributionItem) => number
): ContributionItem[] => {
  const kept = items.filter(
    (c) =>
      (f.panel === '' || (f.panel === '-' ? c.panelIds.length === 0 : c.panelIds.includes(f.panel))) &&
      (f.participant === '' || c.participantId === f.participant) &&
      (f.decision === '' || c.state === f.decision)
  )
  const newest = (a: ContributionItem, b: ContributionItem): number => b.createdAt.localeCompare(a.createdAt)
  return kept.sort(f.sort === 'discussed' ? (a, b) => comments(b) - comments(a) || newest(a, b) : newest)
}

/** A choice of a filter select. */
export interface Choice {
  value: string
  label: string
}

const select = (id: string, label: string, value: string, choices: readonly Choice[], onChange: (value: string) => void): TemplateResult => html`
  <div class="review-filter">
    <label for=${id}>${label}</label>
    <select id=${id} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value)}>
      ${choices.map((c) => html`<option value=${c.value} .selected=${c.value === value}>${c.label}</option>`)}
    </select>
  </div>
`

/** The filter and sort controls. */
export const filtersTemplate = (
  f: ReviewFilters,
  panels: readonly Choice[],
  participants: readonly Choice[],
  onChange: (next: ReviewFilters) => void
): TemplateResult => html`
  <div class="review-filters" role="group" aria-label="Filter and sort contributions">
    ${select('review-filter-panel', 'Panel', f.panel, [{ value: '', label: 'All panels' }, ...panels], (panel) => onChange({ ...f, panel }))}
    ${select('review-filter-participant', 'Participant', f.participant, [{ value: '', label: 'Everyone' }, ...participants], (participant) =>
      onChange({ ...f, participant })
    )}
    ${select(
      'review-filter-decision',
      'Decision',
      f.decision,
      [{ value: '', label: 'Any decision' }, ...DECISION_STATES.map((s) => ({ value: s, label: DECISION_LABELS[s] }))],
      (decision) => onChange({ ...f, decision: decision as DecisionState | '' })
    )}
    ${select(
      'review-sort',
      'Sort',
      f.sort,
      [
        { value: 'newest', label: 'Newest first' },
        { value: 'discussed', label: 'Most discussed' }
      ],
      (sort) => onChange({ ...f, sort: sort as ReviewSort })
    )}
  </div>
`

/** Counts by decision; each count is a button filtering the list to that decision. */
export const countsTemplate = (
  counts: ContributionCounts,
  active: DecisionState | '',
  onPick: (state: DecisionState | '') => void
): TemplateResult => html`
  <ul class="review-counts" aria-label="Contributions by decision">
    ${DECISION_STATES.map(
      (s) => html`<li>
        <button
          type="button"
          class="review-count"
          data-state=${s}
          aria-pressed=${active === s ? 'true' : 'false'}
          @click=${() => onPick(active === s ? '' : s)}
        >
          <span class="review-count-n">${counts.byState[s]}</span> ${DECISION_LABELS[s]}
        </button>
      </li>`
    )}
  </ul>
`

/** The facilitator's switch, or nothing for others. */
export const publicSwitchTemplate = (
  show: boolean,
  on: boolean | null,
  busy: boolean,
  onToggle: (next: boolean) => void
): TemplateResult | typeof nothing =>
  show
    ? html`<div class="review-switch">
        <input
          type="checkbox"
          role="switch"
          id="decisions-public"
          .checked=${on === true}
          ?disabled=${on === null || busy}
          aria-describedby="decisions-public-hint"
          @change=${(e: Event) => onToggle((e.target as HTMLInputElement).checked)}
        />
        <label for="decisions-public">Decisions visible to customers</label>
        <p class="field-hint" id="decisions-public-hint">Customers then see decisions and notes on everyone's ideas, not only their own.</p>
      </div>`
    : nothing
