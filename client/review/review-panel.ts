/**
 * The review panel for team roles (`spec:review`): counts by decision, filters and sort, the
 * contributions with their decision controls, the removals with Restore, and the facilitator's
 * "Decisions visible to customers" switch. Rendered with lit-html into the side panel's
 * "Review" tab, from {@link ReviewData}; every live re-read re-renders in place (keyed lists),
 * so focus, typed notes and scroll position stay.
 *
 * Rules: the panel never changes data locally: it posts, then re-reads (the server's answer
 * and its review event are the truth). Selecting an item highlights its words through the
 * editor's review highlight plugin and scrolls to them; on a phone the sheet closes first so the
 * words can be seen.
 */
import { html, nothing, render } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import type { EditorView } from 'prosemirror-view'
import type { Role } from '../../shared/permissions.js'
import { can } from '../../shared/permissions.js'
import type { RemovalView } from '../../shared/api-removals.js'
import { decide, putReviewSettings, restoreRemoval } from '../api/review.js'
import { listPanels } from '../api/workspace.js'
import { messageOf } from '../ui/dom.js'
import { commentCount, customerShare, discussions, panelName, plural, type ContributionItem } from './format.js'
import { blockChars, highlightContribution, highlightedContribution, piecesToRanges, showContribution } from './highlight.js'
import { removalsTemplate, removalStatusId } from './removals-view.js'
import type { ReviewData } from './review-data.js'
import { applyFilters, countsTemplate, filtersTemplate, NO_FILTERS, publicSwitchTemplate, type Choice, type ReviewFilters } from './review-filters.js'
import { reviewItemTemplate, type DecisionDraft } from './review-item.js'
import type { SidePanel } from './side-panel.js'
import { ThreadSlots, type ThreadEmbed } from './thread-slots.js'

/** What the review panel needs from the page. */
export interface ReviewPanelOptions {
  container: HTMLElement
  data: ReviewData
  view: EditorView
  role: Role
  sidePanel: SidePanel
  /** Engineer E's thread view for a contribution, shown under each item. */
  threadEmbed?: ThreadEmbed
}

/** The review panel; see the file header. */
export class ReviewPanel {
  private filters: ReviewFilters = NO_FILTERS
  private readonly drafts = new Map<string, DecisionDraft>()
  private readonly saving = new Set<string>()
  private readonly messages = new Map<string, { text: string; error: boolean }>()
  private readonly restoring = new Set<string>()
  private readonly restoreErrors = new Map<string, string>()
  private panels = new Map<string, string>()
  /**
   * Customer share per contribution, for the document it was computed on: mapping pieces walks
   * the document, so re-rendering for a keystroke in a note must not redo it for every item.
   */
  private readonly shares = new WeakMap<ContributionItem, { doc: unknown; share: number | null }>()
  private settingsBusy = false
  private settingsError = ''
  private notice = ''
  private readonly stop: () => void
  private readonly slots: ThreadSlots

  constructor(private readonly o: ReviewPanelOptions) {
    this.slots = new ThreadSlots(o.threadEmbed)
    this.stop = o.data.subscribe(() => {
      this.rehighlight()
      this.render()
    })
    if (can(o.role, 'panel:manage')) {
      listPanels()
        .then((panels) => {
          this.panels = new Map(panels.map((p) => [p.id, p.name]))
          this.render()
        })
        .catch(() => {})
    }
    this.render()
  }

  destroy(): void {
    this.stop()
    render(nothing, this.o.container)
  }

  /** Re-applies the highlight from fresh pieces (its words may have moved or grown). */
  private rehighlight(): void {
    const { view, data } = this.o
    const id = highlightedContribution(view.state)
    const c = data.snapshot.contributions?.contributions.find((x) => x.id === id)
    if (!id || !c) return
    const ranges = piecesToRanges(view.state, c.pieces)
    if (ranges.length > 0) highlightContribution(id, ranges)(view.state, view.dispatch)
  }

  private shareOf(c: ContributionItem): number | null {
    const { state } = this.o.view
    const cached = this.shares.get(c)
    if (cached?.doc === state.doc) return cached.share
    const share = customerShare(c.chars, blockChars(state, piecesToRanges(state, c.pieces)))
    this.shares.set(c, { doc: state.doc, share })
    return share
  }

  private select(c: ContributionItem): void {
    const { view, sidePanel } = this.o
    if (sidePanel.isSheet) sidePanel.close()
    this.notice = showContribution(view, c.id, c.pieces) ? '' : 'None of its words are in the spec any more.'
    this.render()
  }

  private async save(c: ContributionItem, draft: DecisionDraft): Promise<void> {
    this.saving.add(c.id)
    this.messages.delete(c.id)
    this.render()
    try {
      await decide(this.o.data.specId, c.id, draft.state, draft.note.trim() === '' ? null : draft.note)
      this.drafts.delete(c.id)
      this.messages.set(c.id, { text: 'Saved', error: false })
      await this.o.data.read(['contributions', 'removals'])
    } catch (error) {
      this.messages.set(c.id, { text: messageOf(error), error: true })
    } finally {
      this.saving.delete(c.id)
      this.render()
    }
  }

  private async restore(r: RemovalView): Promise<void> {
    this.restoring.add(r.id)
    this.restoreErrors.delete(r.id)
    this.render()
    try {
      await restoreRemoval(this.o.data.specId, r.id)
      await this.o.data.read(['removals', 'contributions'])
    } catch (error) {
      this.restoreErrors.set(r.id, messageOf(error))
    } finally {
      this.restoring.delete(r.id)
      this.render()
      document.getElementById(removalStatusId('review-removal', r.id))?.focus()
    }
  }

  private async setPublic(on: boolean): Promise<void> {
    this.settingsBusy = true
    this.settingsError = ''
    this.render()
    try {
      await putReviewSettings(this.o.data.specId, on)
      await this.o.data.read(['settings'])
    } catch (error) {
      this.settingsError = messageOf(error)
    } finally {
      this.settingsBusy = false
      this.render()
    }
  }

  private setFilters(next: ReviewFilters): void {
    this.filters = next
    this.render()
  }

  /** Renders the whole panel (lit-html only touches what changed). */
  render(): void {
    const { data, view, role } = this.o
    const { contributions: response, threads, removals, settings, errors } = data.snapshot
    const all: ContributionItem[] = response?.contributions ?? []
    const talk = discussions(threads)
    const open = new Map<string, number>()
    for (const r of removals ?? []) if (r.status === 'open' && r.contributionId) open.set(r.contributionId, (open.get(r.contributionId) ?? 0) + 1)
    const panelIds = [...new Set(all.flatMap((c) => c.panelIds))].sort()
    // Facilitators read the panel list; other team members get the names with the list.
    const names = new Map([...Object.entries(response?.panelNames ?? {}), ...this.panels])
    // Each choice carries its count (per panel and per participant, from the server's counts).
    const total = (counts: Record<string, { total: number }> | undefined, key: string): string => ` (${counts?.[key]?.total ?? 0})`
    const panelChoices: Choice[] = panelIds.map((id, i) => ({ value: id, label: panelName(id, names, i) + total(response?.byPanel, id) }))
    if (all.some((c) => c.panelIds.length === 0)) panelChoices.push({ value: '-', label: 'No panel' + total(response?.byPanel, '') })
    const participants = new Map(all.map((c) => [c.participantId, c.displayName]))
    const participantChoices: Choice[] = [...participants]
      .sort((a, b) => a[1].localeCompare(b[1]))
      .map(([value, name]) => ({ value, label: name + total(response?.byParticipant, value) }))
    const shown = applyFilters(all, this.filters, commentCount)
    const selected = highlightedContribution(view.state)
    const panelLabel = (id: string): string => panelName(id, names, panelIds.indexOf(id))

    const item = (c: ContributionItem) => {
      return reviewItemTemplate({
        c,
        name: c.displayName,
        panels: c.panelIds.map(panelLabel),
        share: this.shareOf(c),
        threads: talk.get(c.id)?.threads ?? 0,
        openRemovals: open.get(c.id) ?? 0,
        thread: this.slots.available
          ? html`<details class="review-thread">
              <summary>Conversation</summary>
              ${this.slots.slot(c.id, 'review-thread-body')}
            </details>`
          : nothing,
        selected: selected === c.id,
        canDecide: can(role, 'spec:review'),
        draft: this.drafts.get(c.id),
        saving: this.saving.has(c.id),
        message: this.messages.get(c.id),
        onSelect: () => this.select(c),
        onDraft: (d) => {
          this.drafts.set(c.id, d)
          this.messages.delete(c.id)
          this.render()
        },
        onSave: (d) => void this.save(c, d)
      })
    }

    const list =
      response === null
        ? html`<p class="muted review-empty">${errors.contributions ?? 'Loading contributions…'}</p>`
        : all.length === 0
          ? html`<p class="muted review-empty">No customer contributions yet. When customers write in this spec, their ideas show up here.</p>`
          : html`<ul class="review-list" aria-label="Contributions">
              ${repeat(shown, (c) => c.id, item)}
            </ul>`

    render(
      html`
        <div class="review-panel">
          ${publicSwitchTemplate(can(role, 'spec:publish-decisions'), settings?.decisionsPublic ?? null, this.settingsBusy, (on) => void this.setPublic(on))}
          ${this.settingsError ? html`<p class="error-message" role="alert">${this.settingsError}</p>` : nothing}
          ${response ? countsTemplate(response.counts, this.filters.decision, (decision) => this.setFilters({ ...this.filters, decision })) : nothing}
          ${filtersTemplate(this.filters, panelChoices, participantChoices, (f) => this.setFilters(f))}
          <p class="review-summary" role="status">
            ${response ? `Showing ${shown.length} of ${plural(all.length, 'contribution')}` : ''}${this.notice ? ` ${this.notice}` : ''}
          </p>
          ${errors.contributions && response ? html`<p class="error-message" role="alert">${errors.contributions}</p>` : nothing}
          ${list}
          <section class="review-removals" aria-labelledby="review-removals-title">
            <h3 id="review-removals-title" class="review-section-title">Removed customer words</h3>
            ${removals === null
              ? html`<p class="muted review-empty">${errors.removals ?? 'Loading removals…'}</p>`
              : removalsTemplate(removals, {
                  canRestore: can(role, 'spec:restore'),
                  restoring: this.restoring,
                  errors: this.restoreErrors,
                  onRestore: (r) => void this.restore(r),
                  idPrefix: 'review-removal',
                  empty: 'No customer words were removed.'
                })}
          </section>
        </div>
      `,
      this.o.container
    )
  }
}
