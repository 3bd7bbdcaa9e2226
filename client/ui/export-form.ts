/**
 * The export dialog's templates (lit-html): the options, the preview frame, the progress of a
 * job, and the messages for each way a job ends. Pure functions of the state that
 * export-dialog.ts keeps; no requests here.
 */
import { html, nothing, type TemplateResult } from 'lit-html'
import type { ExportJob, ExportOptions } from '../../shared/api-export.js'

/** Formats as people call them. */
export const FORMAT_LABELS: Readonly<Record<ExportOptions['format'], string>> = {
  pdf: 'PDF',
  docx: 'Word (DOCX)',
  html: 'Web page (HTML)',
  markdown: 'Markdown'
}

/** What a failed job's code means, for people. */
const FAILURES: Readonly<Record<string, string>> = {
  chromium_missing: 'PDF printing is not available on this server (Chromium is missing). Try another format.',
  renderer_unavailable: 'Exports are not available on this server right now.',
  worker_crashed: 'The export stopped unexpectedly. Try again.',
  timeout: 'The export took too long and was stopped.',
  shutdown: 'The server restarted before the export finished. Try again.',
  storage_failed: 'The server could not store the file. Try again.'
}

/** The message for a failed job. */
export const failureText = (code: string | null): string => FAILURES[code ?? ''] ?? 'The export failed. Try again.'

/** What the option controls call back with. */
export interface OptionHandlers {
  change(patch: Partial<ExportOptions>): void
}

const select = <T extends string>(id: string, label: string, value: T, choices: ReadonlyArray<[T, string]>, disabled: boolean, onPick: (v: T) => void): TemplateResult => html`
  <div class="export-field">
    <label class="field-label" for=${id}>${label}</label>
    <select id=${id} ?disabled=${disabled} @change=${(e: Event) => onPick((e.target as HTMLSelectElement).value as T)}>
      ${choices.map(([v, text]) => html`<option value=${v} ?selected=${v === value}>${text}</option>`)}
    </select>
  </div>`

const checkbox = (id: string, label: string, checked: boolean, disabled: boolean, onToggle: (on: boolean) => void): TemplateResult => html`
  <div class="export-check">
    <input type="checkbox" id=${id} .checked=${checked} ?disabled=${disabled} @change=${(e: Event) => onToggle((e.target as HTMLInputElement).checked)} />
    <label for=${id}>${label}</label>
  </div>`

/** The option controls; `locked` while a job runs. */
export function optionsTemplate(o: ExportOptions, locked: boolean, on: OptionHandlers): TemplateResult {
  return html`<fieldset class="export-options">
    <legend class="visually-hidden">Export options</legend>
    ${select('export-format', 'Format', o.format, Object.entries(FORMAT_LABELS) as Array<[ExportOptions['format'], string]>, locked, (format) => on.change({ format }))}
    ${checkbox('export-attribution', 'Show who wrote what (attribution)', o.attribution, locked, (attribution) => on.change({ attribution }))}
    ${o.format === 'docx'
      ? select('export-docx-style', 'Attribution in Word', o.docxAttribution, [['comments', 'Comments in the margin'], ['footnotes', 'Footnotes']], locked || !o.attribution, (docxAttribution) => on.change({ docxAttribution }))
      : nothing}
    ${select('export-content', 'Content', o.content, [['all', 'Everything'], ['accepted', 'Only accepted and planned ideas']], locked, (content) => on.change({ content }))}
    ${checkbox('export-declined', 'Appendix of declined ideas, with the team’s reasons', o.declinedAppendix, locked, (declinedAppendix) => on.change({ declinedAppendix }))}
    ${checkbox('export-anonymise', 'Anonymise customers (Customer 1, Customer 2, …)', o.anonymise, locked, (anonymise) => on.change({ anonymise }))}
    ${o.format === 'pdf' || o.format === 'html'
      ? select('export-paper', 'Paper', o.paper, [['a4', 'A4'], ['letter', 'US Letter']], locked, (paper) => on.change({ paper }))
      : nothing}
  </fieldset>`
}

const percentOf = (job: ExportJob): number => Math.round(job.progress * 100)

const sizeText = (bytes: number | null): string =>
  bytes === null ? '' : bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** Progress of a queued or running job, or how it ended. */
export function jobTemplate(job: ExportJob | null): TemplateResult | typeof nothing {
  if (job === null) return nothing
  if (job.state === 'queued' || job.state === 'running') {
    const waiting = job.state === 'queued' ? `Waiting for a free worker${job.queuePosition ? ` (${job.queuePosition} ahead)` : ''}` : job.stage
    return html`<div class="export-progress">
      <label id="export-progress-label" for="export-progress">Exporting ${FORMAT_LABELS[job.options.format]}…</label>
      <progress id="export-progress" max="100" value=${percentOf(job)} aria-describedby="export-stage"></progress>
      <p id="export-stage" class="export-stage">${waiting} · ${percentOf(job)}%</p>
    </div>`
  }
  if (job.state === 'done') {
    return html`<p class="export-ready">Ready: <strong>${job.filename}</strong> <span class="muted">(${sizeText(job.size)})</span></p>`
  }
  if (job.state === 'cancelled') return html`<p class="export-ended">Export cancelled.</p>`
  if (job.state === 'expired') return html`<p class="export-ended">The file was deleted. Export again to get a new one.</p>`
  return nothing
}
