/**
 * Reading a spec's title from its document, for the server (server/sync/spec-title.ts keeps the
 * metadata equal to it) and the editor page (its header follows the title block live). No Node
 * or DOM imports.
 */
import * as Y from 'yjs'
import { FRAGMENT_NAME, NodeName } from './schema.js'
import { MAX_TITLE_LENGTH } from './api.js'

/** The raw text of `doc`'s title block ('' if it has none). */
export function documentTitle(doc: Y.Doc): string {
  const first = doc.getXmlFragment(FRAGMENT_NAME).get(0)
  if (!(first instanceof Y.XmlElement) || first.nodeName !== NodeName.title) return ''
  const text = first.get(0)
  if (!(text instanceof Y.XmlText)) return ''
  return (text.toDelta() as Array<{ insert: unknown }>).map((d) => (typeof d.insert === 'string' ? d.insert : '')).join('')
}

/**
 * The metadata title for a document title (server/sync/spec-title.ts rule 1): inner whitespace
 * collapsed, trimmed, cut to MAX_TITLE_LENGTH; null when it can't be one (empty).
 */
export function metadataTitle(raw: string): string | null {
  const clean = raw.replace(/\s+/g, ' ').trim()
  return clean === '' ? null : [...clean].slice(0, MAX_TITLE_LENGTH).join('').trim()
}

