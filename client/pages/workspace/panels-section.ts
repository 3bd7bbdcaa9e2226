/**
 * Workspace › Panels: create, edit and delete panels; invite a panel to specs (and withdraw);
 * list and remove its members; create invite links (role, expiry, maximum uses), copy the new
 * link, list links with their uses and expiry, revoke them.
 *
 * Each panel is `#panel-list li[data-panel-id]`; controls carry `[data-action]` (`edit-panel`,
 * `delete-panel`, `invite-to-spec`, `withdraw-spec`, `remove-member`, `create-invite`,
 * `revoke-invite`) and fields `[data-field]` (`spec`, `invite-role`, `invite-expiry`,
 * `invite-max-uses`). The newest invite link is shown in `#invite-url` with `#invite-url-copy`.
 */
import {
  addPanelSpec,
  createInvite,
  createPanel,
  deletePanel,
  listInvites,
  listPanelMembers,
  removePanelMember,
  removePanelSpec,
  revokeInvite,
  updatePanel,
  type Invite,
  type Panel,
  type PanelMember
} from '../../api/workspace.js'
import { copyBox } from '../../ui/copy-box.js'
import { askText, confirmAction } from '../../ui/dialog.js'
import { byId, h } from '../../ui/dom.js'
import { roleBadge, roleLabel } from '../../ui/roles.js'
import { absoluteUrl, actionButton, formatDate, formatTime, type WorkspaceContext } from './context.js'

const EXPIRY_CHOICES: [string, string][] = [
  ['24', '1 day'],
  ['168', '7 days'],
  ['720', '30 days'],
  ['8760', '1 year']
]

const panelItem = (id: string): HTMLElement | null =>
  byId('panel-list').querySelector<HTMLElement>(`[data-panel-id="${CSS.escape(id)}"]`)

const focusIn = (panelId: string, selector: string): void => {
  panelItem(panelId)?.querySelector<HTMLElement>(selector)?.focus()
}

/** Runs an action, reports failure, and keeps the page in sync. */
const run = async (ctx: WorkspaceContext, action: () => Promise<string | void>): Promise<void> => {
  try {
    const message = await action()
    if (message) ctx.announce(message)
  } catch (error) {
    ctx.fail(error)
  }
}

const STATUS_LABELS: Record<Invite['status'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  used_up: 'Used up'
}

const inviteStatus = (invite: Invite): string => {
  if (invite.status in STATUS_LABELS) return STATUS_LABELS[invite.status]
  if (invite.revokedAt) return 'Revoked'
  if (invite.expiresAt && Date.parse(invite.expiresAt) <= Date.now()) return 'Expired'
  if (invite.maxUses !== null && invite.uses >= invite.maxUses) return 'Used up'
  return 'Active'
}

const inviteRow = (ctx: WorkspaceContext, panel: Panel, invite: Invite): HTMLLIElement => {
  const status = inviteStatus(invite)
  const uses = invite.maxUses === null ? `${invite.uses} uses (no limit)` : `${invite.uses} of ${invite.maxUses} uses`
  const expired = Date.parse(invite.expiresAt) <= Date.now()
  const expiry = `${expired ? 'expired' : 'expires'} ${formatTime(invite.expiresAt)}`
  const li = h(
    'li',
    { className: 'ws-row', dataset: { inviteId: invite.id, status: status.toLowerCase().replace(' ', '-') } },
    h(
      'div',
      { className: 'ws-row-main' },
      h('p', { className: 'ws-row-title-plain' }, roleBadge(invite.role), ' ', h('span', { className: 'invite-state' }, status)),
      h('p', { className: 'ws-row-meta' }, `${uses} · ${expiry}`)
    )
  )
  if (status === 'Active') {
    const revoke = actionButton('revoke-invite', 'Revoke', `Revoke ${roleLabel(invite.role).toLowerCase()} link of ${panel.name}`, 'danger-quiet')
    revoke.addEventListener('click', () => {
      void run(ctx, async () => {
        await revokeInvite(invite.id)
        await renderInvites(ctx, panel)
        focusIn(panel.id, '[data-action="create-invite"]')
        return 'Invite link revoked. It no longer lets anyone join.'
      })
    })
    li.append(h('div', { className: 'ws-row-actions' }, revoke))
  }
  return li
}

const renderInvites = async (ctx: WorkspaceContext, panel: Panel): Promise<void> => {
  const container = panelItem(panel.id)?.querySelector<HTMLElement>('[data-list="invites"]')
  if (!container) return
  const invites = await listInvites(panel.id)
  container.replaceChildren(
    ...(invites.length === 0
      ? [h('li', { className: 'ws-empty' }, 'No invite links yet.')]
      : invites.map((invite) => inviteRow(ctx, panel, invite)))
  )
}

const memberRow = (ctx: WorkspaceContext, panel: Panel, member: PanelMember): HTMLLIElement => {
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
    h('div', { className: 'ws-row-actions' }, remove)
  )
}

const renderMembers = async (ctx: WorkspaceContext, panel: Panel): Promise<void> => {
  const container = panelItem(panel.id)?.querySelector<HTMLElement>('[data-list="members"]')
  if (!container) return
  const members = await listPanelMembers(panel.id)
  container.replaceChildren(
    ...(members.length === 0
      ? [h('li', { className: 'ws-empty' }, 'Nobody has joined yet. Share an invite link.')]
      : members.map((m) => memberRow(ctx, panel, m)))
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

/** The "invite links" block: creation form, newest link, list. */
const invitesBlock = (ctx: WorkspaceContext, panel: Panel): HTMLElement => {
  const p = `panel-${panel.id}`
  const role = h(
    'select',
    { id: `${p}-invite-role`, name: 'role', dataset: { field: 'invite-role' } },
    h('option', { value: 'customer', selected: true }, 'Customer (can edit)'),
    h('option', { value: 'viewer' }, 'Viewer (read only)')
  )
  const expiry = h(
    'select',
    { id: `${p}-invite-expiry`, name: 'expiresInHours', dataset: { field: 'invite-expiry' } },
    ...EXPIRY_CHOICES.map(([value, label]) => h('option', { value, selected: value === '168' }, label))
  )
  const maxUses = h('input', {
    id: `${p}-invite-max-uses`,
    name: 'maxUses',
    type: 'number',
    min: '1',
    max: '10000',
    step: '1',
    placeholder: 'No limit',
    dataset: { field: 'invite-max-uses' }
  })
  const create = actionButton('create-invite', 'Create invite link', 'Create invite link', 'primary')
  create.type = 'submit'
  const result = h('div', { className: 'invite-result', dataset: { slot: 'invite-result' } })
  const form = h(
    'form',
    { className: 'ws-form ws-form-compact' },
    h('div', { className: 'field' }, h('label', { className: 'field-label', htmlFor: role.id }, 'Role'), role),
    h('div', { className: 'field' }, h('label', { className: 'field-label', htmlFor: expiry.id }, 'Expires after'), expiry),
    h('div', { className: 'field field-narrow' }, h('label', { className: 'field-label', htmlFor: maxUses.id }, 'Maximum uses'), maxUses),
    create
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const hours = Number(expiry.value)
    const uses = Number(maxUses.value)
    create.disabled = true
    void run(ctx, async () => {
      const created = await createInvite(panel.id, {
        role: role.value === 'viewer' ? 'viewer' : 'customer',
        ...(hours > 0 ? { expiresInHours: hours } : {}),
        ...(maxUses.value !== '' && uses > 0 ? { maxUses: Math.floor(uses) } : {})
      })
      // One link on display at a time: the ids stay unique for tests and assistive tech.
      document.getElementById('invite-url')?.closest('.copy-box')?.remove()
      const box = copyBox({
        id: 'invite-url',
        label: `Invite link for ${panel.name} (${roleLabel(created.invite.role)})`,
        value: absoluteUrl(created.url),
        note: 'Send this link to the panel members. Anyone with it can join until it expires, is used up or revoked.'
      })
      result.replaceChildren(box.element)
      await renderInvites(ctx, panel)
      box.button.focus()
      return 'Invite link created.'
    }).finally(() => {
      create.disabled = false
    })
  })
  return h(
    'div',
    { className: 'panel-block' },
    h('h4', {}, 'Invite links'),
    form,
    result,
    h('ul', { className: 'ws-list ws-list-plain', dataset: { list: 'invites' } }, h('li', { className: 'ws-empty' }, 'Loading…'))
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
    )
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
