/**
 * The composer of a new comment: a small non-modal dialog beside the selected text (a sheet at
 * the bottom of narrow screens) with the quote, a text box, Post and Cancel. It opens when the
 * threads plugin holds a draft (the comment command) and closes when the draft is dropped.
 *
 * Keyboard: focus moves to the text box; Enter or Ctrl/⌘+Enter posts, Shift+Enter adds a line,
 * Escape cancels. Either way focus returns to where it was (the editor, or the toolbar button).
 * A failed post keeps the text and says why.
 */
import { html, render } from 'lit-html'
import { ref } from 'lit-html/directives/ref.js'
import type { EditorView } from 'prosemirror-view'
import { MAX_COMMENT_LENGTH } from '../../shared/api-threads.js'
import { messageOf } from '../ui/dom.js'
import { resolveAnchors } from './anchors.js'
import { cancelDraft, threadsState, type Draft } from './commands.js'

/** Sends a new thread; rejects with an error whose message can be shown. */
export type PostComment = (draft: Draft, body: string) => Promise<void>

/** Id of the composer's text box. */
export const COMPOSER_INPUT_ID = 'thread-composer-input'

const NARROW = '(max-width: 600px)'

/** True for the keys that post a comment from a text box (Enter without Shift). */
export const isSubmitKey = (event: KeyboardEvent): boolean =>
  event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing

/** Shows and drives the composer for one editor view. */
export class Composer {
  private readonly root: HTMLElement
  private draft: Draft | null = null
  private sending = false
  private error = ''
  private input: HTMLTextAreaElement | null = null
  private returnFocus: Element | null = null

  constructor(
    private view: EditorView,
    private readonly post: PostComment
  ) {
    this.root = document.createElement('div')
    this.root.className = 'thread-composer'
    this.root.setAttribute('role', 'dialog')
    this.root.setAttribute('aria-labelledby', 'thread-composer-title')
    this.root.hidden = true
    // Fixed-positioned; inside <main> so it stays within a landmark.
    ;(view.dom.closest('main') ?? document.body).append(this.root)
    window.addEventListener('scroll', this.place, { capture: true, passive: true })
    window.addEventListener('resize', this.place, { passive: true })
  }

  update(view: EditorView): void {
    this.view = view
    const draft = threadsState(view.state)?.draft ?? null
    if (draft === this.draft) return this.place()
    const opening = this.draft === null
    this.draft = draft
    if (draft === null) return this.close()
    this.error = ''
    if (opening) {
      const active = document.activeElement
      this.returnFocus = active !== null && active !== document.body && !this.root.contains(active) ? active : null
    }
    this.render()
    this.root.hidden = false
    this.place()
    this.input?.focus()
  }

  destroy(): void {
    window.removeEventListener('scroll', this.place, { capture: true })
    window.removeEventListener('resize', this.place)
    this.root.remove()
  }

  private close(): void {
    const hadFocus = this.root.contains(document.activeElement)
    this.root.hidden = true
    this.sending = false
    if (this.input) this.input.value = ''
    if (hadFocus) this.restoreFocus()
  }

  /** Back to the editor (its selection is kept) or to the control that opened the composer. */
  private restoreFocus(): void {
    const target = this.returnFocus
    this.returnFocus = null
    if (target instanceof HTMLElement && target.isConnected && !this.view.dom.contains(target)) target.focus()
    else if (this.view.editable) this.view.focus()
    // ProseMirror does not focus a read-only view; it is a tab stop there (read-only-keys.ts).
    else this.view.dom.focus({ preventScroll: true })
  }

  private readonly cancel = (): void => {
    if (this.root.contains(document.activeElement)) this.restoreFocus()
    cancelDraft(this.view.state, this.view.dispatch)
  }

  private readonly submit = async (event?: Event): Promise<void> => {
    event?.preventDefault()
    const draft = this.draft
    const body = this.input?.value.trim() ?? ''
    if (draft === null || this.sending) return
    if (body === '') {
      this.error = 'Write a comment first.'
      return this.render()
    }
    this.sending = true
    this.error = ''
    this.render()
    try {
      await this.post(draft, body)
      if (this.draft !== draft) return
      this.restoreFocus()
      cancelDraft(this.view.state, this.view.dispatch)
    } catch (error) {
      this.sending = false
      this.error = messageOf(error, 'The comment could not be posted. Please try again.')
      this.render()
      this.input?.focus()
    }
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault()
      event.stopPropagation()
      this.cancel()
    } else if (isSubmitKey(event) && event.target === this.input) {
      event.preventDefault()
      void this.submit()
    }
  }

  private render(): void {
    const quote = this.draft?.quote ?? ''
    render(
      html`<form class="thread-composer-form" @submit=${this.submit} @keydown=${this.onKeyDown} aria-busy=${this.sending ? 'true' : 'false'}>
        <h2 class="thread-composer-title" id="thread-composer-title">New comment</h2>
        <blockquote class="thread-quote">${quote.length > 280 ? `${quote.slice(0, 280)}…` : quote}</blockquote>
        <label class="field-label" for=${COMPOSER_INPUT_ID}>Comment</label>
        <textarea
          id=${COMPOSER_INPUT_ID}
          class="thread-textarea"
          rows="3"
          maxlength=${MAX_COMMENT_LENGTH}
          aria-describedby="thread-composer-hint"
          ?readonly=${this.sending}
          ${ref((el) => (this.input = (el as HTMLTextAreaElement | undefined) ?? null))}
        ></textarea>
        <p class="thread-hint" id="thread-composer-hint">Enter posts, Shift+Enter adds a line, Escape cancels.</p>
        <p class="error-message" role="alert">${this.error}</p>
        <div class="thread-actions">
          <button type="submit" class="button button-primary button-small" ?disabled=${this.sending}>
            ${this.sending ? 'Posting…' : 'Post'}
          </button>
          <button type="button" class="button button-secondary button-small" @click=${this.cancel}>Cancel</button>
        </div>
      </form>`,
      this.root
    )
  }

  /** Beside the end of the quoted text on wide screens (a bottom sheet on narrow ones, by CSS). */
  private readonly place = (): void => {
    if (this.draft === null || this.root.hidden) return
    if (window.matchMedia(NARROW).matches) {
      this.root.style.removeProperty('top')
      this.root.style.removeProperty('left')
      return
    }
    const range = resolveAnchors(this.view.state, this.draft.anchors)
    const pos = range?.to ?? this.view.state.selection.to
    let coords: { left: number; bottom: number; top: number }
    try {
      coords = this.view.coordsAtPos(pos)
    } catch {
      return
    }
    const margin = 8
    const box = this.root.getBoundingClientRect()
    const vw = document.documentElement.clientWidth
    let top = coords.bottom + margin
    if (top + box.height > window.innerHeight - margin) top = Math.max(margin, coords.top - box.height - margin)
    const left = Math.max(margin, Math.min(coords.left - 24, vw - box.width - margin))
    this.root.style.top = `${Math.round(top)}px`
    this.root.style.left = `${Math.round(left)}px`
  }
}
