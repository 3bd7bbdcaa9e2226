/**
 * Download names from text people typed (a spec's title): safe in a file system and in a
 * header. {@link safeFilename} keeps letters of any script but drops what could name a path or
 * hide a different extension; {@link attachment} builds `Content-Disposition` with an ASCII
 * `filename` for old clients and the exact name as RFC 5987 `filename*` (RFC 6266).
 */

/** Longest base name kept (before the extension), in characters. */
const MAX_BASE = 120

/**
 * A file name `<base>.<extension>` from `title`: control and format characters, path
 * separators, characters Windows refuses (`<>:"/\|?*`) and leading dots are dropped, runs of
 * spaces become one, and it is cut to {@link MAX_BASE} characters; empty becomes `export`.
 * @example safeFilename('../Q3 "Roadmap"\r\n', 'pdf') // 'Q3 Roadmap.pdf'
 */
export function safeFilename(title: string, extension: string): string {
  const base = [...title.normalize('NFC').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:"/\\|?*]+/gu, ' ').replace(/\s+/gu, ' ')]
    .slice(0, MAX_BASE)
    .join('')
    .replace(/^[\s.]+|[\s.]+$/gu, '')
  return `${base === '' ? 'export' : base}.${extension}`
}

/** RFC 5987 `value-chars`: attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; the rest percent-encoded. */
const encode5987 = (text: string): string =>
  encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * `Content-Disposition: attachment` for `filename` (made by {@link safeFilename}): `filename`
 * holds an ASCII stand-in (other characters become `_`; `"`, `\` and `%` too), `filename*` the
 * UTF-8 name, so no header syntax can be injected either way.
 */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encode5987(filename)}`
}
