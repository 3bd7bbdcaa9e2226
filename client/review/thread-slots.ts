/**
 * Places for a contribution's thread (engineer E's thread view, `LiveThreads.embed`) inside the
 * review lists. The page passes the embed function; each contribution's element gets it once,
 * through a lit-html `ref` whose callback is cached per contribution, so keyed re-renders never
 * embed the same thread twice.
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import { ref } from 'lit-html/directives/ref.js'

/** Renders a contribution's thread into `container` and keeps it live. */
export type ThreadEmbed = (container: HTMLElement, contributionId: string) => void

/** The thread places of one view; see the file header. */
export class ThreadSlots {
  private readonly callbacks = new Map<string, (el: Element | undefined) => void>()

  constructor(private readonly embed: ThreadEmbed | undefined) {}

  /** True when the page provides a thread view. */
  get available(): boolean {
    return this.embed !== undefined
  }

  /** A `div.<className>` holding contribution `id`'s thread, or nothing without a thread view. */
  slot(id: string, className: string): TemplateResult | typeof nothing {
    const embed = this.embed
    if (!embed) return nothing
    let callback = this.callbacks.get(id)
    if (!callback) {
      callback = (el) => {
        if (el instanceof HTMLElement) embed(el, id)
      }
      this.callbacks.set(id, callback)
    }
    return html`<div class=${className} ${ref(callback)}></div>`
  }
}
