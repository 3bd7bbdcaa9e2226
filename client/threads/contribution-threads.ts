/**
 * A contribution's conversation: the threads on one contribution, shown inside the review
 * panel's items and "My ideas" (through `LiveThreads.embed`), with a box to start one when there
 * is none yet; and which contribution a new comment's text belongs to.
 *
 * Rules: a conversation started from a contribution is anchored to its first live piece and
 * carries its id; a contribution with no live text cannot get a new thread (there is nothing to
 * anchor to). A comment on selected text belongs to the contribution one of whose pieces holds
 * all of it, if the person may attach threads to it (team roles: any; others: their own, as the
 * server requires). Containers that left the page are forgotten on the next render.
 */
import { html, render, type TemplateResult } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import type { EditorState } from 'prosemirror-state'
import type { ThreadView } from '../../shared/api-threads.js'
import type { ContributionPiece } from '../../shared/api-review.js'
import { MAX_COMMENT_LENGTH } from '../../shared/api-threads.js'
import { createThread } from '../api/threads.js'
import { messageOf } from '../ui/dom.js'
import { resolveAnchors, type Anchors } from './anchors.js'
import { isSubmitKey } from './composer.js'
import { renderThread, type ThreadContext } from './thread-view.js'

/** What this module needs of a contribution (`ContributionView` of shared/api-review.ts). */
export interface ContributionPlace {
  id: string
  /** Who wrote it: customers may put threads only on their own contributions. */
  participantId: string
  pieces: readonly ContributionPiece[]
}

/** The contribution one of whose pieces holds all of `anchors`' text in `state`, or null. */
export const contributionAt = (state: EditorState, anchors: Anchors, contributions: readonly ContributionPlace[]): string | null => {
  const range = resolveAnchors(state, anchors)
  if (range === null) return null
  for (const c of contributions) {
    for (const piece of c.pieces) {
      const at = resolveAnchors(state, piece)
      if (at !== null && at.from <= range.from && range.to <= at.to) return c.id
    }
  }
  return null
}

/** What {@link ContributionThreads} needs from its owner. */
export interface ContributionThreadsOptions {
  specId: string
  /** The thread context of the page; each contribution gets its own id prefix. */
  ctx: ThreadContext
  /** The threads as shown now. */
  threads(): readonly ThreadView[]
  /** The contributions as last read. */
  contributions(): readonly ContributionPlace[]
  /** A thread this module created. */
  onCreated(thread: ThreadView): void
}

interface StartState {
  busy: boolean
  error: string
}

/** The embedded conversations of the contributions on the page. */
export class ContributionThreads {
  private readonly embeds = new Map<HTMLElement, string>()
  private readonly starts = new Map<string, StartState>()

  constructor(private readonly o: ContributionThreadsOptions) {}

  /** Renders contribution `contributionId`'s conversation into `container`, and keeps it live. */
  readonly embed = (container: HTMLElement, contributionId: string): void => {
    this.embeds.set(container, contributionId)
    this.renderOne(container, contributionId)
  }

  /** Renders every embedded conversation again. */
  renderAll(): void {
    for (const [container, id] of this.embeds) {
      if (container.isConnected) this.renderOne(container, id)
      else this.embeds.delete(container)
    }
  }

  destroy(): void {
    for (const container of this.embeds.keys()) render('', container)
    this.embeds.clear()
  }

  private renderOne(container: HTMLElement, contributionId: string): void {
    const threads = this.o.threads().filter((t) => t.contributionId === contributionId)
    const ctx = { ...this.o.ctx, idPrefix: `idea-${contributionId}` }
    render(
      threads.length > 0
        ? html`<ol class="threads-list" aria-label="Comments on this idea">
            ${repeat(threads, (t) => t.id, (t) => html`<li class="threads-item">${renderThread(t, ctx)}</li>`)}
          </ol>`
        : this.startTemplate(contributionId),
      container
    )
  }

  private startTemplate(contributionId: string): TemplateResult {
    const piece = this.o.contributions().find((c) => c.id === contributionId)?.pieces[0]
    if (!piece) return html`<p class="muted thread-none">No comments yet</p>`
    const state = this.starts.get(contributionId) ?? { busy: false, error: '' }
    const inputId = `idea-${contributionId}-start`
    const onSubmit = (event: Event): void => {
      event.preventDefault()
      const input = (event.currentTarget as HTMLFormElement).querySelector('textarea')
      const body = input?.value.trim() ?? ''
      if (input === null || body === '' || state.busy) return
      void this.start(contributionId, piece, body).then((done) => {
        if (done) input.value = ''
      })
    }
    const onKeyDown = (event: KeyboardEvent): void => {
      if (!isSubmitKey(event)) return
      event.preventDefault()
      ;(event.currentTarget as HTMLTextAreaElement).form?.requestSubmit()
    }
    return html`<form class="thread-start" @submit=${onSubmit} aria-busy=${state.busy ? 'true' : 'false'}>
      <label class="visually-hidden" for=${inputId}>Comment on this idea</label>
      <textarea
        id=${inputId}
        class="thread-textarea"
        rows="1"
        maxlength=${MAX_COMMENT_LENGTH}
        placeholder="Comment on this idea…"
        ?readonly=${state.busy}
        @keydown=${onKeyDown}
      ></textarea>
      <div class="thread-actions">
        <button type="submit" class="button button-secondary button-small" ?disabled=${state.busy}>${state.busy ? 'Posting…' : 'Comment'}</button>
      </div>
      <p class="error-message" role="alert">${state.error}</p>
    </form>`
  }

  private async start(contributionId: string, piece: ContributionPiece, body: string): Promise<boolean> {
    this.setStart(contributionId, { busy: true, error: '' })
    try {
      const thread = await createThread(this.o.specId, { start: piece.start, end: piece.end, body, contributionId })
      this.starts.delete(contributionId)
      this.o.onCreated(thread)
      return true
    } catch (error) {
      this.setStart(contributionId, { busy: false, error: messageOf(error, 'The comment could not be posted. Please try again.') })
      return false
    }
  }

  private setStart(contributionId: string, state: StartState): void {
    this.starts.set(contributionId, state)
    this.renderAll()
  }
}
