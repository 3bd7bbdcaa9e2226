/**
 * Icons of the attribution labels. Each label has its own shape, so markers read in greyscale:
 * a person (customer), a building (team), two overlapping people (mixed), a question mark
 * (unknown). Decorative: the text or accessible name always says the label too.
 */
import type { AttributionLabel } from '../../shared/attribution.js'

const svg = (body: string): string =>
  `<svg class="attr-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`

/** SVG markup per label. */
export const labelIcons: Readonly<Record<AttributionLabel, string>> = {
  customer: svg('<circle cx="8" cy="5" r="2.6" fill="currentColor"/><path d="M3 14c0-3 2.2-5 5-5s5 2 5 5"/>'),
  team: svg('<rect x="3" y="2.5" width="10" height="11.5" rx="1"/><path d="M6 5.5h1M9 5.5h1M6 8h1M9 8h1M7 14v-3h2v3"/>'),
  mixed: svg(
    '<circle cx="5.5" cy="5.5" r="2.2" fill="currentColor"/><circle cx="10.5" cy="5.5" r="2.2"/><path d="M1.5 14c0-2.4 1.8-4.2 4-4.2s4 1.8 4 4.2M8.5 10.2c.6-.3 1.3-.4 2-.4 2.2 0 4 1.8 4 4.2"/>'
  ),
  none: svg('<circle cx="8" cy="8" r="6" stroke-dasharray="2 2"/><path d="M6.3 6.3a1.8 1.8 0 1 1 2.4 1.7c-.5.2-.7.6-.7 1.1M8 11.3v.1"/>')
}

/** A detached element holding the icon of `label`. */
export const iconElement = (label: AttributionLabel): HTMLElement => {
  const span = document.createElement('span')
  span.className = 'attr-icon-wrap'
  span.innerHTML = labelIcons[label]
  return span
}
