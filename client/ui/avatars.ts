/**
 * The people currently in the spec: a row of initials circles in each person's colour, plus a
 * visually hidden list for screen readers. Your own avatar is a button that lets you rename
 * yourself. Each avatar carries `data-client-id` (the Yjs client id).
 */
import type { Awareness } from 'y-protocols/awareness'
import { initials, participants, type Participant } from '../collab/presence.js'

/** Renders the awareness states into `container` (`#presence`) until `destroy` is called. */
export class AvatarsBar {
  private readonly row: HTMLElement
  private readonly list: HTMLUListElement
  private lastKey = ''

  constructor(
    private readonly container: HTMLElement,
    private readonly awareness: Awareness,
    private readonly onEditSelf: () => void
  ) {
    container.classList.add('presence')
    const heading = document.createElement('h2')
    heading.className = 'visually-hidden'
    heading.id = 'presence-heading'
    heading.textContent = 'People in this spec'
    this.row = document.createElement('div')
    this.row.className = 'avatars'
    this.list = document.createElement('ul')
    this.list.className = 'visually-hidden'
    this.list.setAttribute('aria-labelledby', 'presence-heading')
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
    this.row.replaceChildren(...people.map((p) => this.avatar(p)))
    this.list.replaceChildren(
      ...people.map((p) => {
        const li = document.createElement('li')
        li.textContent = p.isSelf ? `${p.user.name} (you)` : p.user.name
        return li
      })
    )
  }

  private avatar(p: Participant): HTMLElement {
    const name = p.isSelf ? `${p.user.name} (you)` : p.user.name
    const el = document.createElement(p.isSelf ? 'button' : 'span')
    el.className = p.isSelf ? 'avatar avatar-self' : 'avatar'
    el.dataset.clientId = String(p.clientId)
    el.dataset.userId = p.user.id
    el.style.backgroundColor = p.user.color
    el.textContent = initials(p.user.name)
    el.title = name
    if (el instanceof HTMLButtonElement) {
      el.type = 'button'
      el.setAttribute('aria-label', `${name}: change your display name`)
      el.title = `${name}. Click to change your display name`
      el.addEventListener('click', this.onEditSelf)
    } else {
      // The hidden list names everyone; the circles are decoration for sighted users.
      el.setAttribute('aria-hidden', 'true')
    }
    return el
  }
}
