/**
 * One thread as people read it: the quoted text (with a "Text removed" badge once its text is
 * gone), the comments with author name, role and time, a reply box, and Resolve or Reopen for
 * those who may. Reusable wherever a thread shows (the threads list, review items, "My ideas"):
 * {@link renderThread} returns a lit-html template; the caller renders it inside a keyed list.
 *
 * Rules: every control is a native button, textarea or form with a visible or accessible name;
 * Resolve/Reopen are shown only to the thread's author and to roles with `spec:resolve-any`
 * (the server checks again). Element ids carry `ctx.idPrefix`, so one thread may show in two
 * places on a page. Replies post on Enter (Shift+Enter adds a line) or with the Reply button.
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import { MAX_COMMENT_LENGTH, type CommentView, type ThreadView } from '../../shared/api-threads.js'
import { can, type Role } from '../../shared/permissions.js'
import { ROLE_LABELS } from '../ui/roles.js'
import { ago, fullDate } from '../ui/relative-time.js'
import { isSubmitKey } from './composer.js'

/** Pending action and last error of one thread, as its owner tracks them. */
export interface ThreadUiStatus {
  busy: 'reply' | 'resolve' | 'reopen' | null
  error: string
}

/** What {@link renderThread} needs from the page. */
export interface ThreadContext {
  /** The signed-in person. */
  me: { participantId: string; role: Role }
  /** Prefix of element ids (unique per place the thread shows in). */
  idPrefix: string
  status(threadId: string): ThreadUiStatus
  /** Posts a reply; resolving true clears the reply box. */
  reply(thread: ThreadView, body: string): Promise<boolean>
  resolve(thread: ThreadView): void
  reopen(thread: ThreadView): void
  /** Scrolls to and highlights the thread's text; absent where there is no editor. */
  show?(thread: ThreadView): void
  /** True for the thread shown as selected. */
  isActive?(threadId: string): boolean
}

/** True if `me` may resolve or reopen `thread` (own thread, or `spec:resolve-any`). */
export const mayResolve = (thread: ThreadView, me: ThreadContext['me']): boolean =>
  thread.createdBy.participantId === me.participantId || can(me.role, 'spec:resolve-any')

/** Id of a thread's element in a place (`ctx.idPrefix`). */
export const threadElementId = (prefix: string, threadId: string): string => `${prefix}-${threadId}`

/** Id of a thread's reply box in a place. */
export const replyInputId = (prefix: string, threadId: string): string => `${prefix}-${threadId}-reply`

const MAX_QUOTE = 200

const shortQuote = (text: string): string => (text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text)

const commentTemplate = (comment: CommentView, index: number): TemplateResult => html`<li class="thread-comment">
  <p class="thread-comment-meta">
    <span class="thread-author">${comment.author.displayName}</span>
    <span class="role-badge" data-role=${comment.author.role}>${ROLE_LABELS[comment.author.role]}</span>
    <time datetime=${comment.createdAt} title=${fullDate(comment.createdAt)}>${ago(comment.createdAt)}</time>
    ${index === 0 ? nothing : html`<span class="visually-hidden">(reply)</span>`}
  </p>
  <p class="thread-comment-body">${comment.body}</p>
</li>`

const quoteTemplate = (thread: ThreadView, ctx: ThreadContext, titleId: string): TemplateResult => {
  const quote = html`<q class="thread-quote-text">${shortQuote(thread.textRemoved ? thread.quote : thread.text || thread.quote)}</q>`
  if (thread.textRemoved) {
    return html`<h3 class="thread-title" id=${titleId}>
      <span class="thread-removed-badge">Text removed</span>
      <span class="visually-hidden">, it said:</span>
      ${quote}
    </h3>`
  }
  if (!ctx.show) return html`<h3 class="thread-title" id=${titleId}>${quote}</h3>`
  const show = ctx.show
  return html`<h3 class="thread-title" id=${titleId}>
    <button type="button" class="thread-show" @click=${() => show(thread)} aria-describedby=${`${titleId}-hint`}>${quote}</button>
    <span class="visually-hidden" id=${`${titleId}-hint`}>Show in the spec</span>
  </h3>`
}

/**
 * The template of one thread.
 *
 * @example
 *   render(html`<ol>${repeat(threads, (t) => t.id, (t) => html`<li>${renderThread(t, ctx)}</li>`)}</ol>`, el)
 */
export const renderThread = (thread: ThreadView, ctx: ThreadContext): TemplateResult => {
  const id = threadElementId(ctx.idPrefix, thread.id)
  const titleId = `${id}-title`
  const inputId = replyInputId(ctx.idPrefix, thread.id)
  const status = ctx.status(thread.id)
  const resolved = thread.status === 'resolved'
  const onSubmit = (event: Event): void => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const input = form.querySelector('textarea')
    const body = input?.value.trim() ?? ''
    if (input === null || body === '' || status.busy !== null) return
    void ctx.reply(thread, body).then((done) => {
      if (done) input.value = ''
    })
  }
  const onKeyDown = (event: KeyboardEvent): void => {
    if (!isSubmitKey(event)) return
    event.preventDefault()
    ;(event.currentTarget as HTMLTextAreaElement).form?.requestSubmit()
  }
  const mayAct = mayResolve(thread, ctx.me)
  return html`<article
    class="thread${resolved ? ' is-resolved' : ''}${ctx.isActive?.(thread.id) ? ' is-active' : ''}"
    id=${id}
    data-thread-id=${thread.id}
    data-status=${thread.status}
    aria-labelledby=${titleId}
  >
    <header class="thread-head">
      ${quoteTemplate(thread, ctx, titleId)}
      ${resolved
        ? html`<p class="thread-resolved-note">
            Resolved${thread.resolvedBy ? ` by ${thread.resolvedBy.displayName}` : ''}${thread.resolvedAt ? `, ${ago(thread.resolvedAt)}` : ''}
          </p>`
        : nothing}
    </header>
    <ol class="thread-comments" aria-label="Comments">
      ${repeat(thread.comments, (c) => c.id, commentTemplate)}
    </ol>
    <form class="thread-reply" @submit=${onSubmit} aria-busy=${status.busy === 'reply' ? 'true' : 'false'}>
      <label class="visually-hidden" for=${inputId}>Reply</label>
      <textarea
        id=${inputId}
        class="thread-textarea"
        rows="1"
        maxlength=${MAX_COMMENT_LENGTH}
        placeholder="Reply…"
        ?readonly=${status.busy === 'reply'}
        @keydown=${onKeyDown}
      ></textarea>
      <div class="thread-actions">
        <button type="submit" class="button button-primary button-small" aria-describedby=${titleId} ?disabled=${status.busy !== null}>
          ${status.busy === 'reply' ? 'Sending…' : 'Reply'}
        </button>
        ${mayAct
          ? html`<button
              type="button"
              class="button button-secondary button-small"
              data-action=${resolved ? 'reopen' : 'resolve'}
              aria-describedby=${titleId}
              ?disabled=${status.busy !== null}
              @click=${() => (resolved ? ctx.reopen(thread) : ctx.resolve(thread))}
            >
              ${resolved ? 'Reopen' : 'Resolve'}
            </button>`
          : nothing}
      </div>
      <p class="error-message" role="alert">${status.error}</p>
    </form>
  </article>`
}
