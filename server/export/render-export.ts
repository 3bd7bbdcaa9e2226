/**
 * `renderExport` (the {@link RenderExport} the job worker imports): builds the brief model once
 * (brief-model.ts), then lays it out in the asked format. Progress is reported in rising
 * fractions with a stage for people; the signal is checked between steps, and the PDF printer
 * closes its browser on abort (render-pdf.ts). No file is written: the bytes are returned.
 */
import { EXPORT_FILE_TYPES } from '../../shared/api-export.js'
import { buildBriefModel } from './brief-model.js'
import type { ExportFile, RenderExport } from './export-types.js'
import { renderDocx } from './render-docx.js'
import { renderHtml } from './render-html.js'
import { renderMarkdown } from './render-markdown.js'
import { renderPdf } from './render-pdf.js'

const encoder = new TextEncoder()

/** Renders one export; see the module comment and {@link RenderExport}. */
export const renderExport: RenderExport = async (source, options, env, progress, signal) => {
  let last = 0
  // Progress never goes back, whatever a step reports.
  const report = (fraction: number, stage: string): void => {
    last = Math.max(last, Math.min(1, fraction))
    progress(last, stage)
  }
  signal.throwIfAborted()
  report(0.05, 'Reading the spec')
  const model = buildBriefModel(source, options)
  signal.throwIfAborted()
  report(0.15, 'Laying out the brief')
  let bytes: Uint8Array
  switch (options.format) {
    case 'markdown':
      bytes = encoder.encode(renderMarkdown(model))
      break
    case 'html':
      bytes = encoder.encode(renderHtml(model))
      break
    case 'pdf':
      bytes = await renderPdf(renderHtml(model), env, report, signal)
      break
    case 'docx':
      bytes = await renderDocx(model, report, signal)
      break
  }
  signal.throwIfAborted()
  report(1, 'Done')
  const type = EXPORT_FILE_TYPES[options.format]
  const file: ExportFile = { bytes, filename: `${model.filenameBase}.${type.extension}`, contentType: type.contentType }
  return file
}
