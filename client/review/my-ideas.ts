/**
 * "My ideas", for customers: their own contributions in the spec, each with its excerpt (a
 * button that scrolls to its words and highlights them), the decision ("Accepted", "Planned",
 * …), the team's note, its thread (engineer E's thread view when the page provides one, else
 * the comment count) and removals of its words; then the latest answers, and, when a facilitator
 * made decisions public, other customers' decided ideas.
 *
 * Rules: rendered with lit-html keyed lists from {@link ReviewData}, so live re-reads update in
 * place. Answers are marked seen (`POST /answers/seen`, up to the newest shown) only while this
 * view is open and the page visible; the unread count then drops on the button and the spec list.
 */
import { html, nothing, render, type TemplateResult } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import type { EditorView } from 'prosemirror-view'
import type { AnswerItem } from '../../shared/api-answers.js'
import { markAnswersSeen } from '../api/review.js'
import { DECISION_LABELS, discussions, plural, type ContributionItem, type Discussion } from './format.js'
import { ago, fullDate } from '../ui/relative-time.js'
import { highlightedContribution, showContribution } from './highlight.js'
import { removalsTemplate } from './removals-view.js'
import type { ReviewData } from './review-data.js'
import { excerptOf } from './review-item.js'
import type { SidePanel } from './side-panel.js'
import { ThreadSlots, type ThreadEmbed } from './thread-slots.js'

export type { ThreadEmbed }

/** Id of the "My ideas" tab of the side panel. */
export const MY_IDEAS_TAB = 'my-ideas'

/** What "My ideas" needs from the page. */
export interface MyIdeasOptions {
  container: HTMLElement
  data: ReviewData
  view: EditorView
  participantId: string
  sidePanel: SidePanel
  threadEmbed?: ThreadEmbed
}

const NO_REMOVALS = { canRestore: false, restoring: new Set<string>(), errors: new Map<string, string>(), onRestore: () => {} }

/** The "My ideas" view; see the file header. */
export class MyIdeas {
  private notice = ''
  private marking = false
  private readonly stops: Array<() => void>
  private readonly slots: ThreadSlots

  constructor(private readonly o: MyIdeasOptions) {
    this.slots = new ThreadSlots(o.threadEmbed)
    const onVisible = (): void => this.markSeen()
    document.addEventListener('visibilitychange', onVisible)
    this.stops = [
      o.data.subscribe(() => {
        this.render()
        this.markSeen()
      }),
      o.sidePanel.onChange(() => this.markSeen()),
      () => document.removeEventListener('visibilitychange', onVisible)
    ]
    this.render()
    this.markSeen()
  }

  destroy(): void {
    for (const stop of this.stops) stop()
    render(nothing, this.o.container)
  }

  /** Marks the answers seen if the view is open, the page visible and something is unread. */
  private markSeen(): void {
    const answers = this.o.data.snapshot.answers
    if (this.marking || !answers || answers.unread === 0) return
    if (!this.o.sidePanel.isShowing(MY_IDEAS_TAB) || document.visibilityState !== 'visible') return
    const upTo = answers.items.reduce((max, i) => (i.at > max ? i.at : max), '')
    if (upTo === '') return
    this.marking = true
    markAnswersSeen(this.o.data.specId, upTo)
      .then((unread) => this.o.data.setUnread(unread))
      .catch(() => {})
      .finally(() => {
        this.marking = false
      })
  }

  private select(c: ContributionItem): void {
    const { view, sidePanel } = this.o
    if (sidePanel.isSheet) sidePanel.close()
    this.notice = showContribution(view, c.id, c.pieces) ? '' : 'None of its words are in the spec any more.'
    this.render()
  }

  private thread(c: ContributionItem, talk: ReadonlyMap<string, Discussion>): TemplateResult {
    if (this.slots.available) return html`${this.slots.slot(c.id, 'idea-thread')}`
    const d = talk.get(c.id)
    const comments = Math.max(c.comments, d?.comments ?? 0)
    return html`<p class="idea-thread muted">${comments === 0 ? 'No comments yet' : plural(comments, 'comment')}</p>`
  }

  private idea(c: ContributionItem, talk: ReadonlyMap<string, Discussion>, unread: ReadonlySet<string>, selected: string | null): TemplateResult {
    const removals = (this.o.data.snapshot.removals ?? []).filter((r) => r.contributionId === c.id)
    return html`
      <li class=${selected === c.id ? 'idea is-selected' : 'idea'} data-contribution-id=${c.id} data-state=${c.state}>
        <button type="button" class="review-item-select" data-action="select" aria-current=${selected === c.id ? 'true' : 'false'} @click=${() => this.select(c)}>
          ${excerptOf(c)}
        </button>
        <p class="review-decision">
          <span class="decision-badge" data-state=${c.state}>${DECISION_LABELS[c.state]}</span>
          ${unread.has(c.id) ? html`<span class="new-answer-badge">New answer</span>` : nothing}
          <time class="muted" datetime=${c.createdAt} title=${fullDate(c.createdAt)}>written ${ago(c.createdAt)}</time>
        </p>
        ${c.decision?.note
          ? html`<p class="review-note" data-field="note"><span class="review-note-label">Note from the team:</span> ${c.decision.note}</p>`
          : nothing}
        ${this.thread(c, talk)}
        ${removals.length > 0
          ? removalsTemplate(removals, { ...NO_REMOVALS, idPrefix: `idea-removal-${c.id}`, empty: '' })
          : nothing}
      </li>
    `
  }

  private answer(a: AnswerItem): TemplateResult {
    return html`<li class=${a.unread ? 'answer is-unread' : 'answer'} data-answer-id=${a.id}>
      <span class="answer-summary">${a.summary}</span>
      <span class="muted">${a.by.displayName}, <time datetime=${a.at} title=${fullDate(a.at)}>${ago(a.at)}</time></span>
    </li>`
  }

  /** Renders the view (lit-html only touches what changed). */
  render(): void {
    const { data, view, participantId } = this.o
    const { contributions: response, threads, removals, answers, errors } = data.snapshot
    const all: ContributionItem[] = response?.contributions ?? []
    const mine = all.filter((c) => c.participantId === participantId).sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    const others = all.filter((c) => c.participantId !== participantId && c.decision !== null)
    const talk = discussions(threads)
    const unread = new Set((answers?.items ?? []).filter((a) => a.unread && a.contributionId).map((a) => a.contributionId!))
    const selected = highlightedContribution(view.state)
    const known = new Set(mine.map((c) => c.id))
    const loose = (removals ?? []).filter((r) => r.contributionId === null || !known.has(r.contributionId))
    const latest = [...(answers?.items ?? [])].reverse().slice(0, 10)

    render(
      html`
        <div class="my-ideas">
          <p class="review-summary" role="status">
            ${response ? `${plural(mine.length, 'idea')} of yours in this spec.` : ''}${this.notice ? ` ${this.notice}` : ''}
          </p>
          ${response === null
            ? html`<p class="muted review-empty">${errors.contributions ?? 'Loading your ideas…'}</p>`
            : mine.length === 0
              ? html`<p class="muted review-empty">You have not written anything in this spec yet. What you write shows up here with the team's answers.</p>`
              : html`<ul class="review-list idea-list" aria-label="Your ideas">
                  ${repeat(mine, (c) => c.id, (c) => this.idea(c, talk, unread, selected))}
                </ul>`}
          ${loose.length > 0
            ? html`<section class="review-removals" aria-labelledby="my-removals-title">
                <h3 id="my-removals-title" class="review-section-title">Your removed words</h3>
                ${removalsTemplate(loose, { ...NO_REMOVALS, idPrefix: 'my-removal', empty: '' })}
              </section>`
            : nothing}
          <section class="answers" aria-labelledby="answers-title">
            <h3 id="answers-title" class="review-section-title">Latest answers</h3>
            ${latest.length === 0
              ? html`<p class="muted review-empty">${errors.answers ?? 'No answers yet.'}</p>`
              : html`<ul class="answer-list">${repeat(latest, (a) => a.id, (a) => this.answer(a))}</ul>`}
          </section>
          ${others.length > 0
            ? html`<section class="others" aria-labelledby="others-title">
                <h3 id="others-title" class="review-section-title">Decisions on other ideas</h3>
                <ul class="review-list">
                  ${repeat(
                    others,
                    (c) => c.id,
                    (c) => html`<li class="idea" data-contribution-id=${c.id} data-state=${c.state}>
                      <button type="button" class="review-item-select" @click=${() => this.select(c)}>
                        ${excerptOf(c)}
                      </button>
                      <p class="review-decision">
                        <span class="decision-badge" data-state=${c.state}>${DECISION_LABELS[c.state]}</span>
                        <span class="muted">${c.displayName}</span>
                      </p>
                      ${c.decision?.note ? html`<p class="review-note"><span class="review-note-label">Note:</span> ${c.decision.note}</p>` : nothing}
                    </li>`
                  )}
                </ul>
              </section>`
            : nothing}
        </div>
      `,
      this.o.container
    )
  }
}
