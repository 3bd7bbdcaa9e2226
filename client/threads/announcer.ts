/**
 * A polite live region for what happens to threads (a reply from someone else, a comment
 * posted, the caret entering commented text), outside every panel: a hidden or closed panel's
 * live region would say nothing, and a modal sheet makes the rest of the page inert.
 *
 * Rules: one region per page, visually hidden; saying the same sentence twice announces it
 * twice (the region is emptied first).
 */

/** Id of the live region. */
export const ANNOUNCER_ID = 'threads-announcer'

/** Speaks sentences to screen readers through a polite live region. */
export class Announcer {
  private readonly region: HTMLElement
  private frame: number | null = null

  constructor() {
    this.region = document.createElement('div')
    this.region.id = ANNOUNCER_ID
    this.region.className = 'visually-hidden'
    this.region.setAttribute('role', 'status')
    this.region.setAttribute('aria-live', 'polite')
    this.region.setAttribute('aria-atomic', 'true')
    document.body.append(this.region)
  }

  /** Announces `text` (replacing what was said before). */
  say(text: string): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame)
    this.region.textContent = ''
    // Set on the next frame, so an unchanged sentence still counts as new content.
    this.frame = requestAnimationFrame(() => {
      this.frame = null
      this.region.textContent = text
    })
  }

  destroy(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame)
    this.region.remove()
  }
}
