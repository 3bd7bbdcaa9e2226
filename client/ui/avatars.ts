/**
 * The people currently in the spec: for each, an initials circle in their colour with a role
 * badge beside it (Customer / Team / Facilitator / Viewer), plus a visually hidden list naming
 * everyone with their role for screen readers. Each avatar carries `data-client-id` (the Yjs
 * client id), `data-user-id` and `data-role`; your own has the class `avatar-self`.
 */
import type { Awareness } from 'y-protocols/awareness'
import { initials, participants, type Participant } from '../collab/presence.js'
import { h } from './dom.js'
import { ROLE_LABELS, roleBadge } from './roles.js'

/** Renders the awareness states into `container` (`#presence`) until `destroy` is called. */
export class AvatarsBar {
  private readonly row: HTMLElement
  private readonly list: HTMLUListElement
  private lastKey = ''

  constructor(
    private readonly container: HTMLElement,
    private readonly awareness: Awareness
  ) {
    container.classList.add('presence')
    const heading = h('h2', { className: 'visually-hidden', id: 'presence-heading' }, 'People in this spec')
    this.row = h('div', { className: 'avatars', attrs: { 'aria-hidden': 'true' } })
    this.list = h('ul', { className: 'visually-hidden', attrs: { 'aria-labelledby': 'presence-heading' } })
    container.setAttribute('aria-labelledby', 'presence-heading')
    container.replaceChildren(heading, this.row, this.list)
    awareness.on('change', this.render)
    this.render()
  }

  destroy(): void {
    this.awareness.off('change', this.render)
  }

  private readonly render = (): void => {
    const people = participants(this.awareness)
    const key = JSON.stringify(people)
    if (key === this.lastKey) return
    this.lastKey = key
    this.row.replaceChildren(...people.map((p) => this.chip(p)))
    this.list.replaceChildren(
      ...people.map((p) => {
        const role = p.user.role ? `, ${ROLE_LABELS[p.user.role]}` : ''
        return h('li', {}, `${p.user.name}${p.isSelf ? ' (you)' : ''}${role}`)
      })
    )
  }

  /** One person: avatar circle plus role badge (the circles are decoration; the list names everyone). */
  private chip(p: Participant): HTMLElement {
    const name = p.isSelf ? `${p.user.name} (you)` : p.user.name
    const title = p.user.role ? `${name} · ${ROLE_LABELS[p.user.role]}` : name
    const avatar = h(
      'span',
      {
        className: p.isSelf ? 'avatar avatar-self' : 'avatar',
        title,
        dataset: { clientId: String(p.clientId), userId: p.user.id, ...(p.user.role ? { role: p.user.role } : {}) }
      },
      initials(p.user.name)
    )
    avatar.style.backgroundColor = p.user.color
    return h('span', { className: 'participant', title }, avatar, p.user.role ? roleBadge(p.user.role, { short: true }) : null)
  }
}
