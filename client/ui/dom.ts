/**
 * Tiny DOM helpers shared by the pages: build an element with properties and children, find a
 * required element by id.
 */

/** Properties of an element plus `dataset` entries and raw attributes. */
export type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'dataset'>> & {
  dataset?: Record<string, string>
  attrs?: Record<string, string>
}

/**
 * Creates an element.
 *
 * @example
 *   h('button', { type: 'button', className: 'button', dataset: { action: 'copy' } }, 'Copy')
 */
export const h = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<K> = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] => {
  const { dataset, attrs, ...rest } = props
  const el = document.createElement(tag)
  Object.assign(el, rest)
  if (dataset) for (const [key, value] of Object.entries(dataset)) el.dataset[key] = value
  if (attrs) for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value)
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child)
  return el
}

/** The element with `id`; throws if the page lacks it (a broken page should fail loudly). */
export const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from the page`)
  return el as T
}

/** A user-facing message for any thrown value. */
export const messageOf = (error: unknown, fallback = 'Something went wrong. Please try again.'): string =>
  error instanceof Error && error.name === 'ApiError' ? error.message : fallback
