/**
 * Small modal dialogs on the native `<dialog>` element (focus trapping, Escape to cancel and
 * focus return come from the browser): one asking for a line of text, one asking to confirm.
 */

/** Options of {@link askText}. */
export interface AskTextOptions {
  /** Id of the `<dialog>`; the same id reuses the element. */
  id: string
  title: string
  description?: string
  label: string
  /** Id of the text input (a test hook, e.g. `display-name`). */
  inputId: string
  value?: string
  placeholder?: string
  submitLabel: string
  /** Id of the submit button. */
  submitId?: string
  /** Offer a Cancel button (Escape cancels either way). */
  cancellable?: boolean
  type?: 'text' | 'url'
  maxLength?: number
  autocomplete?: string
}

const element = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag)
  Object.assign(el, props)
  el.append(...children)
  return el
}

const freshDialog = (id: string, title: string): { dialog: HTMLDialogElement; form: HTMLFormElement } => {
  document.getElementById(id)?.remove()
  const titleId = `${id}-title`
  const dialog = element('dialog', { id, className: 'dialog' })
  dialog.setAttribute('aria-labelledby', titleId)
  const form = element('form', { className: 'dialog-form', noValidate: false })
  form.append(element('h2', { id: titleId, className: 'dialog-title' }, title))
  dialog.append(form)
  document.body.append(dialog)
  return { dialog, form }
}

/** Resolves with the settled value once the dialog closes, removing it afterwards. */
const settle = <T>(dialog: HTMLDialogElement, read: (returnValue: string) => T): Promise<T> =>
  new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        resolve(read(dialog.returnValue))
        dialog.remove()
      },
      { once: true }
    )
  })

/** Shows a modal form with one text field; resolves to the trimmed text, or null if cancelled. */
export const askText = (options: AskTextOptions): Promise<string | null> => {
  const { dialog, form } = freshDialog(options.id, options.title)
  const describedBy = `${options.id}-description`
  if (options.description) {
    form.append(element('p', { id: describedBy, className: 'dialog-description' }, options.description))
  }
  const input = element('input', {
    id: options.inputId,
    name: options.inputId,
    type: options.type ?? 'text',
    required: true,
    value: options.value ?? '',
    placeholder: options.placeholder ?? '',
    autocomplete: (options.autocomplete ?? 'off') as AutoFill
  })
  if (options.maxLength) input.maxLength = options.maxLength
  if (options.description) input.setAttribute('aria-describedby', describedBy)
  form.append(
    element('label', { htmlFor: options.inputId, className: 'field-label' }, options.label),
    input
  )
  const actions = element('div', { className: 'dialog-actions' })
  if (options.cancellable) {
    const cancel = element('button', { type: 'button', className: 'button button-secondary' }, 'Cancel')
    cancel.addEventListener('click', () => dialog.close(''))
    actions.append(cancel)
  }
  const submit = element('button', { type: 'submit', className: 'button button-primary' }, options.submitLabel)
  if (options.submitId) submit.id = options.submitId
  actions.append(submit)
  form.append(actions)

  let answer: string | null = null
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = input.value.trim()
    if (text === '') {
      input.setCustomValidity('Please type something.')
      input.reportValidity()
      return
    }
    answer = text
    dialog.close('ok')
  })
  input.addEventListener('input', () => input.setCustomValidity(''))
  const result = settle(dialog, () => answer)
  dialog.showModal()
  input.focus()
  input.select()
  return result
}

/** Options of {@link confirmAction}. */
export interface ConfirmOptions {
  id: string
  title: string
  message: string
  confirmLabel: string
  /** Styles the confirm button as destructive. */
  danger?: boolean
}

/** Shows a modal yes/no question; resolves true if confirmed. Cancel has the initial focus. */
export const confirmAction = (options: ConfirmOptions): Promise<boolean> => {
  const { dialog, form } = freshDialog(options.id, options.title)
  form.append(element('p', { className: 'dialog-description' }, options.message))
  const cancel = element('button', { type: 'button', className: 'button button-secondary' }, 'Cancel')
  cancel.dataset.action = 'cancel'
  cancel.addEventListener('click', () => dialog.close('cancel'))
  const confirm = element(
    'button',
    { type: 'submit', className: `button ${options.danger ? 'button-danger' : 'button-primary'}` },
    options.confirmLabel
  )
  confirm.dataset.action = 'confirm'
  form.append(element('div', { className: 'dialog-actions' }, cancel, confirm))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    dialog.close('confirm')
  })
  const result = settle(dialog, (value) => value === 'confirm')
  dialog.showModal()
  cancel.focus()
  return result
}
