/**
 * Styles and numbering of DOCX briefs: named styles a company can restyle in Word (the built-in
 * Title and Heading 1-3, plus "Quote", "Code", "Cover Fact", "Appendix Note"), and the numbering
 * definitions of bulleted and numbered lists, nine levels each.
 */
import { AlignmentType, LevelFormat, type ILevelsOptions, type INumberingOptions, type IStylesOptions } from 'docx'
import type { PaperSize } from '../../shared/api-export.js'

/** Numbering reference of bulleted lists. */
export const BULLETS = 'valence-bullets'

/** Numbering reference of numbered lists starting at `start`. */
export const numberedRef = (start: number): string => `valence-numbers-${start}`

/** Paragraph style ids (also their names). */
export const STYLE = { quote: 'Quote', code: 'Code', coverFact: 'CoverFact', note: 'AppendixNote' } as const

/** Page size and margins in twips. */
export const PAGE: Record<PaperSize, { width: number; height: number }> = {
  a4: { width: 11906, height: 16838 },
  letter: { width: 12240, height: 15840 }
}

const BULLET_GLYPHS = ['•', '◦', '▪']
const NUMBER_FORMATS = [LevelFormat.DECIMAL, LevelFormat.LOWER_LETTER, LevelFormat.LOWER_ROMAN]

const indent = (level: number) => ({ paragraph: { indent: { left: 720 * (level + 1), hanging: 360 } } })

/** Numbering config: bullets, and one numbered definition per start value used. */
export function numbering(starts: ReadonlySet<number>): INumberingOptions {
  const bulletLevels: ILevelsOptions[] = Array.from({ length: 9 }, (_, level) => ({
    level,
    format: LevelFormat.BULLET,
    text: BULLET_GLYPHS[level % 3]!,
    alignment: AlignmentType.LEFT,
    style: indent(level)
  }))
  const numberLevels = (start: number): ILevelsOptions[] =>
    Array.from({ length: 9 }, (_, level) => ({
      level,
      format: NUMBER_FORMATS[level % 3]!,
      text: `%${level + 1}.`,
      start: level === 0 ? start : 1,
      alignment: AlignmentType.LEFT,
      style: indent(level)
    }))
  return {
    config: [{ reference: BULLETS, levels: bulletLevels }, ...[...starts].map((start) => ({ reference: numberedRef(start), levels: numberLevels(start) }))]
  }
}

/** Document styles: fonts of the defaults and headings, and the brief's own paragraph styles. */
export const styles: IStylesOptions = {
  default: {
    document: { run: { font: 'Georgia', size: 22 }, paragraph: { spacing: { after: 120, line: 300 } } },
    title: { run: { font: 'Arial', size: 52, bold: true }, paragraph: { spacing: { after: 240 } } },
    heading1: { run: { font: 'Arial', size: 32, bold: true }, paragraph: { spacing: { before: 360, after: 120 }, keepNext: true, keepLines: true } },
    heading2: { run: { font: 'Arial', size: 27, bold: true }, paragraph: { spacing: { before: 280, after: 100 }, keepNext: true, keepLines: true } },
    heading3: { run: { font: 'Arial', size: 24, bold: true }, paragraph: { spacing: { before: 240, after: 80 }, keepNext: true, keepLines: true } },
    hyperlink: { run: { color: '0B4F8A', underline: {} } }
  },
  paragraphStyles: [
    {
      id: STYLE.quote,
      name: 'Quote',
      basedOn: 'Normal',
      next: 'Normal',
      quickFormat: true,
      run: { italics: true, color: '404040' },
      paragraph: { indent: { left: 720 }, border: { left: { style: 'single', size: 12, color: 'BBBBBB', space: 8 } } }
    },
    {
      id: STYLE.code,
      name: 'Code',
      basedOn: 'Normal',
      next: 'Normal',
      quickFormat: true,
      run: { font: 'Consolas', size: 19 },
      paragraph: { spacing: { after: 120, line: 260 }, shading: { type: 'clear', fill: 'F4F4F4', color: 'auto' }, keepLines: true }
    },
    { id: STYLE.coverFact, name: 'Cover Fact', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { font: 'Arial', size: 22 } },
    { id: STYLE.note, name: 'Appendix Note', basedOn: 'Normal', next: 'Normal', quickFormat: true, run: { size: 18, color: '444444', italics: true } }
  ]
}
