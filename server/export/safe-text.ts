/**
 * Escaping shared by the renderers. Everything a participant typed or named (text, display
 * names, panel names, decision notes, link targets) passes through one of these before it is
 * written into a format, so it reads as text and never as markup, script or a formula.
 */
import { isSafeHref } from '../../shared/schema.js'

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Characters no export writes: C0/C1 controls other than tab and line breaks, and lone
 * surrogates (not encodable in UTF-8; invalid in XML). Replaced by U+FFFD.
 */
const UNWRITABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** `text` with characters no document format can carry replaced (see {@link UNWRITABLE}). */
export const writable = (text: string): string => text.replace(UNWRITABLE, '\uFFFD')

/** Escapes text and attribute values for HTML (all five significant characters). */
export const escapeHtml = (text: string): string => writable(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)

/**
 * A value that starts a table cell or a line that could be pasted into a spreadsheet, made
 * inert: a leading `=`, `+`, `-`, `@`, tab or carriage return would start a formula, so it is
 * prefixed with an apostrophe (the OWASP CSV-injection advice, which spreadsheets show as text).
 */
export const inertCell = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text)

/** `href` if a link may point there (http, https, mailto), trimmed; else null (render as plain text). */
export const safeHref = (href: unknown): string | null => (typeof href === 'string' && isSafeHref(href) ? href.trim() : null)

/**
 * A safe href as a Markdown link destination: characters that could end the destination or
 * start markup (space, `<`, `>`, parentheses, quotes, backslash, backtick, controls) are
 * percent-encoded, which every URL parser reads back the same.
 */
export const markdownDestination = (href: string): string =>
  writable(href).replace(/[\s<>()"'\\`\u0000-\u001f\u007f[\]]/g, (c) => [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''))
