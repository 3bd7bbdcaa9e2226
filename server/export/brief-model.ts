/**
 * The export model shared by every format: from an {@link ExportSource} and the options, the
 * brief as it will read (cover, body with attribution notes, appendix), names already resolved
 * and, for anonymised exports, every customer name and email already replaced, so a renderer
 * only lays it out and escapes it for its format.
 *
 * Reading order (which fixes anonymous numbering, brief-names.ts): cover, body, appendix.
 */
import type { Node as PMNode } from 'prosemirror-model'
import type { ExportOptions } from '../../shared/api-export.js'
import { schema } from '../../shared/schema.js'
import { buildAppendix, type Appendix } from './brief-appendix.js'
import { buildBody, type BriefBody } from './brief-body.js'
import { Namer } from './brief-names.js'
import type { ExportSource } from './export-types.js'

/** The cover page. */
export interface BriefCover {
  title: string
  versionLabel: string
  /** "2 December 2026" (UTC). */
  date: string
  /** ISO date `2026-12-02`. */
  isoDate: string
  facilitator: string | null
  panels: string[]
}

/** A brief, ready to lay out. */
export interface BriefModel {
  options: ExportOptions
  /** Safe to put in metadata (scrubbed when anonymised). */
  title: string
  /** File name without extension: the title without path or control characters. */
  filenameBase: string
  /** Document author metadata: the facilitator, or "Valence" when anonymised or unknown. */
  creator: string
  cover: BriefCover
  body: BriefBody
  /** Null when neither attribution nor the declined-ideas appendix is asked for. */
  appendix: Appendix | null
  /** What the content filter did, for a line under the cover ("Only accepted and planned …"). */
  scopeNote: string | null
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/** A file name from a title: no path separators, reserved or control characters; at most 80 characters. */
export function filenameFrom(title: string): string {
  const cleaned = [...title.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim().replace(/^\.+/, '')].slice(0, 80).join('').trim()
  return cleaned || 'brief'
}

/** Builds the model of one export (see the module comment). */
export function buildBriefModel(source: ExportSource, options: ExportOptions): BriefModel {
  const namer = new Namer(source.participants, options.anonymise)
  const doc: PMNode = schema.nodeFromJSON(source.doc)
  const docTitle = doc.firstChild?.type.name === 'title' ? doc.firstChild.textContent.trim() : ''
  const title = namer.scrub(docTitle || source.spec.title.trim() || 'Untitled spec')
  const at = new Date(source.exportedAt)
  // gatherExportSource names only facilitators here (never a customer); scrubbed all the same.
  const facilitator = source.facilitator ? namer.scrub(source.facilitator.displayName) : null
  const cover: BriefCover = {
    title,
    versionLabel: namer.scrub(source.versionLabel),
    date: DATE.format(at),
    isoDate: at.toISOString().slice(0, 10),
    facilitator,
    panels: source.panels.map((p) => namer.scrub(p.name))
  }
  const body = buildBody(source, options, namer, doc)
  const appendix =
    options.attribution || options.declinedAppendix ? buildAppendix(source, doc, namer, { attribution: options.attribution, declined: options.declinedAppendix }) : null
  return {
    options,
    title,
    filenameBase: filenameFrom(title),
    creator: options.anonymise || facilitator === null ? 'Valence' : facilitator,
    cover,
    body,
    appendix,
    scopeNote:
      options.content === 'accepted'
        ? 'This brief holds the team’s text and only the customer ideas accepted or planned; the appendix figures describe the whole spec.'
        : null
  }
}
