/**
 * The editor header's Menu button, shown on phones only (client/styles/phone-editor.css): it
 * unfolds the controls that do not fit the compact bar (presence and the session area) below
 * it. On wider screens the button is hidden and those controls are always shown.
 *
 * Rules: the open state lives in `data-menu-open` on the header and `aria-expanded` on the
 * button, always together; Escape inside the header closes the menu and returns focus to the
 * button.
 */

/** Wires `button` to fold and unfold the extra controls of `header`; returns a teardown. */
export const mountHeaderMenu = (header: HTMLElement, button: HTMLButtonElement): (() => void) => {
  const setOpen = (open: boolean): void => {
    button.setAttribute('aria-expanded', String(open))
    header.toggleAttribute('data-menu-open', open)
  }
  const onClick = (): void => setOpen(button.getAttribute('aria-expanded') !== 'true')
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || button.getAttribute('aria-expanded') !== 'true') return
    setOpen(false)
    button.focus()
    event.preventDefault()
  }
  button.addEventListener('click', onClick)
  header.addEventListener('keydown', onKey)
  return () => {
    button.removeEventListener('click', onClick)
    header.removeEventListener('keydown', onKey)
  }
}
