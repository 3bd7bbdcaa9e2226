/**
 * Workspace › Panels › merging two participants of a panel into one (issue 9): a customer who
 * signed out and rejoined through the invite link became a second participant with the same
 * name. "Merge into…" on a member asks whom to merge them into (the panel's other invitees,
 * told apart by role and joining time, since names repeat), then confirms, naming both and what
 * moves. The server does the rest (POST /api/panels/:id/merges, docs/AUTH.md "Merging
 * participants"); each panel lists its recorded merges.
 *
 * Hooks: member rows carry `[data-action="merge-member"]`; the choice dialog is `#merge-dialog`
 * with `#merge-into` and `#merge-next`; the confirmation is `#confirm-merge`; a panel's records
 * are `[data-list="merges"] li[data-merge-id]`, a lit-html list keyed on merge ids.
 */
import { html, render } from 'lit-html'
import { repeat } from 'lit-html/directives/repeat.js'
import { listMerges, mergeParticipants, type Panel, type PanelMember, type ParticipantMerge } from '../../api/workspace.js'
import { confirmAction } from '../../ui/dialog.js'
import { h } from '../../ui/dom.js'
import { actionButton, formatTime, type WorkspaceContext } from './context.js'
import { focusIn, panelItem, run } from './panel-dom.js'

/** How a member is told apart from another of the same name. */
const describe = (m: PanelMember): string => `${m.displayName} (${[m.role, m.email, `joined ${formatTime(m.joinedAt)}`].filter(Boolean).join(', ')})`

/** Asks whom to merge `from` into; resolves to that member, or null if cancelled. */
function chooseTarget(panel: Panel, from: PanelMember, candidates: PanelMember[]): Promise<PanelMember | null> {
  document.getElementById('merge-dialog')?.remove()
  const select = h('select', { id: 'merge-into', name: 'merge-into', required: true })
  select.append(...candidates.map((m) => h('option', { value: m.participantId }, describe(m))))
  const cancel = h('button', { type: 'button', className: 'button button-secondary' }, 'Cancel')
  const next = h('button', { type: 'submit', id: 'merge-next', className: 'button button-primary' }, 'Next')
  const form = h(
    'form',
    { className: 'dialog-form' },
    h('h2', { id: 'merge-dialog-title', className: 'dialog-title' }, `Merge ${from.displayName} into…`),
    h(
      'p',
      { id: 'merge-dialog-description', className: 'dialog-description' },
      `${describe(from)} and the participant you choose become one person in “${panel.name}”. You confirm on the next step.`
    ),
    h('label', { className: 'field-label', htmlFor: 'merge-into' }, 'Merge into'),
    select,
    h('div', { className: 'dialog-actions' }, cancel, next)
  )
  select.setAttribute('aria-describedby', 'merge-dialog-description')
  const dialog = h('dialog', { id: 'merge-dialog', className: 'dialog' }, form)
  dialog.setAttribute('aria-labelledby', 'merge-dialog-title')
  document.body.append(dialog)
  let chosen: PanelMember | null = null
  cancel.addEventListener('click', () => dialog.close(''))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    chosen = candidates.find((m) => m.participantId === select.value) ?? null
    dialog.close('next')
  })
  const result = new Promise<PanelMember | null>((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        resolve(chosen)
        dialog.remove()
      },
      { once: true }
    )
  })
  dialog.showModal()
  select.focus()
  return result
}

/** Asks, naming both and what moves; then merges and refreshes the Workspace. */
async function merge(ctx: WorkspaceContext, panel: Panel, from: PanelMember, candidates: PanelMember[]): Promise<void> {
  const back = (): void => focusIn(panel.id, `[data-member-id="${CSS.escape(from.participantId)}"] [data-action="merge-member"]`)
  const into = await chooseTarget(panel, from, candidates)
  if (into === null) return back()
  const ok = await confirmAction({
    id: 'confirm-merge',
    title: `Merge ${from.displayName} into ${into.displayName}?`,
    message:
      `${describe(from)} becomes ${describe(into)}. Moves to ${into.displayName}: the credit for every word ${from.displayName} ` +
      `wrote or moved, the edits of the devices they wrote from, their ideas with decisions, comments and answers. ` +
      `${into.displayName} keeps their name and role. ${from.displayName} is signed out for good and their return link stops ` +
      'working. This cannot be undone.',
    confirmLabel: 'Merge participants',
    danger: true
  })
  if (!ok) return back()
  await run(ctx, async () => {
    await mergeParticipants(panel.id, from.participantId, into.participantId)
    await ctx.refresh()
    focusIn(panel.id, '[data-action="create-invite"]')
    return `Merged ${from.displayName} into ${into.displayName} in ${panel.name}.`
  })
}

/**
 * The "Merge into…" button of `member`'s row, or null when there is nobody to merge them with
 * (only invitees, customers and viewers, are merged; team members never).
 */
export function mergeButton(ctx: WorkspaceContext, panel: Panel, member: PanelMember, members: readonly PanelMember[]): HTMLButtonElement | null {
  const candidates = members.filter((m) => m.kind === 'invitee' && m.participantId !== member.participantId)
  if (member.kind !== 'invitee' || candidates.length === 0) return null
  const button = actionButton('merge-member', 'Merge into…', `Merge into…: merge ${describe(member)} into another member of ${panel.name}`)
  button.addEventListener('click', () => void merge(ctx, panel, member, candidates))
  return button
}

/** The panel's "Merged participants" block; {@link renderMerges} fills it. */
export const mergesBlock = (): HTMLElement =>
  h('div', { className: 'panel-block', dataset: { slot: 'merges' } }, h('h4', {}, 'Merged participants'), h('ul', { className: 'ws-list ws-list-plain', dataset: { list: 'merges' } }))

const mergeRow = (m: ParticipantMerge) =>
  html`<li class="ws-row" data-merge-id=${m.id}>
    <div class="ws-row-main">
      <p class="ws-row-title-plain">${m.from.displayName} merged into ${m.into.displayName}</p>
      <p class="ws-row-meta">by ${m.by.displayName} · <time datetime=${m.at}>${formatTime(m.at)}</time></p>
    </div>
  </li>`

/** Loads and shows `panel`'s recorded merges (a keyed list: rows keep their place across re-reads). */
export async function renderMerges(panel: Panel): Promise<void> {
  const merges = await listMerges(panel.id)
  const list = panelItem(panel.id)?.querySelector<HTMLElement>('[data-list="merges"]')
  if (!list) return
  render(
    merges.length === 0
      ? html`<li class="ws-empty">No merges. When someone rejoined as a second participant, use “Merge into…” on one of them.</li>`
      : html`${repeat(merges, (m) => m.id, mergeRow)}`,
    list
  )
}
