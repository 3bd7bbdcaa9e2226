/**
 * Workspace › Panels: create, edit and delete panels; invite a panel to specs (and withdraw);
 * list and remove its members; each panel's invite links (invite-links.ts).
 *
 * Each panel is `#panel-list li[data-panel-id]`; controls carry `[data-action]` (`edit-panel`,
 * `delete-panel`, `invite-to-spec`, `withdraw-spec`, `remove-member`, `merge-member`: merges.ts) and fields `[data-field]`
 * (`spec`).
 */
import {
  addPanelSpec,
  createPanel,
  deletePanel,
  listPanelMembers,
  removePanelMember,
  removePanelSpec,
  updatePanel,
  type Panel,
  type PanelMember
} from '../../api/workspace.js'
import { askText, confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { roleBadge } from '../../ui/roles.js'
import { actionButton, formatDate, type WorkspaceContext } from './context.js'
import { invitesBlock, renderInvites } from './invite-links.js'
import { focusIn, panelItem, run } from './panel-dom.js'
import { mergeButton, mergesBlock, renderMerges } from './merges.js'



const memberRow = (ctx: WorkspaceContext, panel: Panel, member: PanelMember, members: readonly PanelMember[]): HTMLLIElement => {
  const remove = actionButton('remove-member', 'Remove', `Remove ${member.displayName} from ${panel.name}`, 'danger-quiet')
  remove.addEventListener('click', () => {
    void confirmAction({
      id: 'confirm-remove-member',
      title: `Remove ${member.displayName}?`,
      message: `${member.displayName} loses access to the specs of “${panel.name}” at once. What they wrote stays.`,
      confirmLabel: 'Remove member',
      danger: true
    }).then((ok) => {
      if (!ok) return focusIn(panel.id, `[data-member-id="${CSS.escape(member.participantId)}"] [data-action="remove-member"]`)
      void run(ctx, async () => {
        await removePanelMember(panel.id, member.participantId)
        await ctx.refresh()
        focusIn(panel.id, '[data-action="create-invite"]')
        return `Removed ${member.displayName} from ${panel.name}.`
      })
    })
  })
  return h(
    'li',
    { className: 'ws-row', dataset: { memberId: member.participantId } },
    h(
      'div',
      { className: 'ws-row-main' },
      h('p', { className: 'ws-row-title-plain' }, member.displayName, ' ', roleBadge(member.role)),
      h('p', { className: 'ws-row-meta' }, [member.email, `joined ${formatDate(member.joinedAt)}`].filter(Boolean).join(' · '))
    ),
    h('div', { className: 'ws-row-actions' }, mergeButton(ctx, panel, member, members), remove)
  )
}

const renderMembers = async (ctx: WorkspaceContext, panel: Panel): Promise<void> => {
  const container = panelItem(panel.id)?.querySelector<HTMLElement>('[data-list="members"]')
  if (!container) return
  const members = await listPanelMembers(panel.id)
  container.replaceChildren(
    ...(members.length === 0
      ? [h('li', { className: 'ws-empty' }, 'Nobody has joined yet. Share an invite link.')]
      : members.map((m) => memberRow(ctx, panel, m, members)))
  )
}

/** The "specs this panel is invited to" block with its invite select. */
const specsBlock = (ctx: WorkspaceContext, panel: Panel): HTMLElement => {
  const invited = ctx.specs.filter((s) => panel.specIds.includes(s.id))
  const others = ctx.specs.filter((s) => !panel.specIds.includes(s.id))
  const items = invited.map((spec) => {
    const title = spec.title || 'Untitled spec'
    const withdraw = actionButton('withdraw-spec', 'Withdraw', `Withdraw ${panel.name} from “${title}”`, 'danger-quiet')
    withdraw.addEventListener('click', () => {
      void run(ctx, async () => {
        await removePanelSpec(panel.id, spec.id)
        await ctx.refresh()
        focusIn(panel.id, '[data-field="spec"]')
        return `${panel.name} is no longer invited to “${title}”.`
      })
    })
    return h('li', { className: 'ws-row', dataset: { specId: spec.id } }, h('span', { className: 'ws-row-main' }, title), withdraw)
  })
  const selectId = `panel-${panel.id}-spec`
  const select = h('select', { id: selectId, name: 'spec', dataset: { field: 'spec' } })
  select.append(...others.map((s) => h('option', { value: s.id }, s.title || 'Untitled spec')))
  const add = actionButton('invite-to-spec', 'Invite', `Invite ${panel.name} to the chosen spec`, 'primary')
  add.type = 'submit'
  const form = h(
    'form',
    { className: 'ws-form ws-form-compact' },
    h('div', { className: 'field field-grow' }, h('label', { className: 'field-label', htmlFor: selectId }, 'Invite to spec'), select),
    add
  )
  if (others.length === 0) {
    select.disabled = true
    add.disabled = true
    select.append(h('option', { value: '' }, ctx.specs.length === 0 ? 'Create a spec first' : 'Invited to every spec'))
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const spec = ctx.specs.find((s) => s.id === select.value)
    if (!spec) return
    void run(ctx, async () => {
      await addPanelSpec(panel.id, spec.id)
      await ctx.refresh()
      focusIn(panel.id, '[data-field="spec"]')
      return `${panel.name} is invited to “${spec.title || 'Untitled spec'}”.`
    })
  })
  return h(
    'div',
    { className: 'panel-block' },
    h('h4', {}, 'Specs'),
    invited.length === 0
      ? h('p', { className: 'muted' }, 'Not invited to any spec yet.')
      : h('ul', { className: 'ws-list ws-list-plain', dataset: { list: 'specs' } }, ...items),
    form
  )
}

const panelCard = (ctx: WorkspaceContext, panel: Panel): HTMLLIElement => {
  const edit = actionButton('edit-panel', 'Edit', `Edit ${panel.name}`)
  const remove = actionButton('delete-panel', 'Delete', `Delete ${panel.name}`, 'danger-quiet')
  edit.addEventListener('click', () => void editPanel(ctx, panel))
  remove.addEventListener('click', () => {
    void confirmAction({
      id: 'confirm-delete-panel',
      title: `Delete ${panel.name}?`,
      message: 'Its members lose access to the panel’s specs at once, and its invite links stop working.',
      confirmLabel: 'Delete panel',
      danger: true
    }).then((ok) => {
      if (!ok) return focusIn(panel.id, '[data-action="delete-panel"]')
      void run(ctx, async () => {
        await deletePanel(panel.id)
        await ctx.refresh()
        byId('panel-name').focus()
        return `Deleted ${panel.name}.`
      })
    })
  })
  const headingId = `panel-${panel.id}-heading`
  const card = h(
    'li',
    { className: 'ws-card', dataset: { panelId: panel.id } },
    h(
      'div',
      { className: 'ws-card-head' },
      h(
        'div',
        { className: 'ws-card-title' },
        h('h3', { id: headingId }, panel.name),
        panel.description ? h('p', { className: 'ws-card-description' }, panel.description) : null,
        h('p', { className: 'ws-row-meta' }, `${panel.memberCount} ${panel.memberCount === 1 ? 'member' : 'members'} · created ${formatDate(panel.createdAt)}`)
      ),
      h('div', { className: 'ws-row-actions' }, edit, remove)
    ),
    specsBlock(ctx, panel),
    invitesBlock(ctx, panel),
    h(
      'div',
      { className: 'panel-block' },
      h('h4', {}, 'Members'),
      h('ul', { className: 'ws-list ws-list-plain', dataset: { list: 'members' } }, h('li', { className: 'ws-empty' }, 'Loading…'))
    ),
    mergesBlock()
  )
  card.setAttribute('aria-labelledby', headingId)
  return card
}

async function editPanel(ctx: WorkspaceContext, panel: Panel): Promise<void> {
  const name = await askText({
    id: 'panel-edit-dialog',
    title: 'Rename panel',
    label: 'Panel name',
    inputId: 'panel-edit-name',
    submitId: 'panel-edit-submit',
    submitLabel: 'Next',
    value: panel.name,
    cancellable: true,
    maxLength: 100
  })
  if (name === null) return focusIn(panel.id, '[data-action="edit-panel"]')
  const description = await askText({
    id: 'panel-edit-dialog',
    title: 'Describe the panel',
    description: 'Invitees see this on the invite page.',
    label: 'Description',
    inputId: 'panel-edit-description',
    submitId: 'panel-edit-save',
    submitLabel: 'Save panel',
    value: panel.description ?? '',
    cancellable: true,
    maxLength: 2000
  })
  await run(ctx, async () => {
    await updatePanel(panel.id, description === null ? { name } : { name, description })
    await ctx.refresh()
    return `Saved ${name}.`
  })
  focusIn(panel.id, '[data-action="edit-panel"]')
}

/** Renders every panel card, then loads each one's members and invite links. */
export const renderPanels = (ctx: WorkspaceContext): void => {
  const list = byId('panel-list')
  const keep = document.getElementById('invite-url')?.closest('.copy-box') ?? null
  const keepPanel = keep?.closest<HTMLElement>('[data-panel-id]')?.dataset.panelId
  list.replaceChildren(
    ...(ctx.panels.length === 0
      ? [h('li', { className: 'ws-empty' }, 'No panels yet. Create one above.')]
      : ctx.panels.map((p) => panelCard(ctx, p)))
  )
  // A just-created link stays on display across re-renders of its panel.
  if (keep && keepPanel) panelItem(keepPanel)?.querySelector('[data-slot="invite-result"]')?.append(keep)
  for (const panel of ctx.panels) {
    void renderMembers(ctx, panel).catch((error: unknown) => ctx.fail(error))
    void renderInvites(ctx, panel).catch((error: unknown) => ctx.fail(error))
    void renderMerges(panel).catch((error: unknown) => ctx.fail(error))
  }
}

/** Wires the create form. */
export const setupPanels = (ctx: WorkspaceContext): void => {
  const form = byId<HTMLFormElement>('panel-form')
  const name = byId<HTMLInputElement>('panel-name')
  const description = byId<HTMLInputElement>('panel-description')
  const submit = byId<HTMLButtonElement>('panel-create')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = name.value.trim()
    if (value === '') return
    submit.disabled = true
    void run(ctx, async () => {
      const created = await createPanel(value, description.value.trim())
      name.value = ''
      description.value = ''
      await ctx.refresh()
      const id = created?.id ?? ctx.panels.find((p) => p.name === value)?.id
      if (id) focusIn(id, '[data-field="spec"]')
      return `Created panel ${value}.`
    }).finally(() => {
      submit.disabled = false
    })
  })
}
