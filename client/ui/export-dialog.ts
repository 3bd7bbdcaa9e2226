/**
 * The export dialog of the editor (issue 11): options, a live preview of the HTML brief, the
 * progress of the export with a Cancel button, and the download once the file is ready.
 *
 * Rules:
 * - The preview is the server's HTML brief in an `<iframe sandbox>` loaded from its own URL
 *   (served with a `sandbox` CSP), never written into this page: the brief's styles and
 *   whatever people typed cannot touch the editor, and nothing in it can run. It is reloaded
 *   {@link PREVIEW_DEBOUNCE_MS} after the options last changed.
 * - Progress comes from the job's event stream; the stream is closed on the final state (the
 *   server ends it too, and an EventSource would otherwise reconnect) and when the dialog closes.
 * - The server decides who may export; this dialog only reflects its answers.
 * - The tab remembers (sessionStorage) the last export it started for the spec. Opening the
 *   dialog again, after closing it or reloading the page, shows that job as the server has it
 *   now: its progress, its Download, or its failure. A cancelled, expired or forgotten job is
 *   dropped, and a job the person starts meanwhile wins.
 */
import { html, nothing, render } from 'lit-html'
import { exportOptions, type ExportJob, type ExportOptions } from '../../shared/api-export.js'
import { cancelExport, exportEventsUrl, exportPreviewUrl, getExport, putExportSettings, startExport } from '../api/exports.js'
import { failureText, jobTemplate, optionsTemplate } from './export-form.js'
import { messageOf } from './dom.js'

/** Quiet time after the last option change before the preview reloads. */
export const PREVIEW_DEBOUNCE_MS = 400

const FINAL = new Set<ExportJob['state']>(['done', 'failed', 'cancelled', 'expired'])
const DIALOG_ID = 'export-dialog'

const jobKey = (specId: string): string => `valence:export-job:${specId}`

/**
 * The tab's last export of a spec. Storage can be unavailable (strict privacy settings); the
 * dialog then simply forgets jobs across reloads.
 */
const lastJob = {
  get(specId: string): string | null {
    try {
      return sessionStorage.getItem(jobKey(specId))
    } catch {
      return null
    }
  },
  set(specId: string, jobId: string | null): void {
    try {
      if (jobId === null) sessionStorage.removeItem(jobKey(specId))
      else sessionStorage.setItem(jobKey(specId), jobId)
    } catch {
      // Not remembered: see above.
    }
  }
}

/** What the dialog needs from the page. */
export interface ExportDialogOptions {
  specId: string
  /** Facilitators see the "team members may export" switch with its current value; others null. */
  teamMayExport: boolean | null
}

/** The export dialog; {@link open} shows it (one per page). */
export class ExportDialog {
  private options: ExportOptions = exportOptions.parse({ format: 'pdf' })
  private previewUrl: string
  private job: ExportJob | null = null
  private error = ''
  private starting = false
  private teamMayExport: boolean | null
  private teamBusy = false
  private events: EventSource | null = null
  private previewTimer: ReturnType<typeof setTimeout> | null = null
  private dialog: HTMLDialogElement | null = null

  constructor(private readonly o: ExportDialogOptions) {
    this.previewUrl = exportPreviewUrl(o.specId, this.options)
    this.teamMayExport = o.teamMayExport
  }

  /** Shows the dialog, with the tab's last export of this spec if the server still has it. */
  open(): void {
    this.dialog?.remove()
    this.job = null
    this.error = ''
    const dialog = document.createElement('dialog')
    dialog.id = DIALOG_ID
    dialog.className = 'dialog export-dialog'
    dialog.setAttribute('aria-labelledby', `${DIALOG_ID}-title`)
    dialog.addEventListener('close', () => this.closed())
    document.body.append(dialog)
    this.dialog = dialog
    this.render()
    dialog.showModal()
    dialog.querySelector<HTMLSelectElement>('#export-format')?.focus()
    void this.reattach(dialog)
  }

  /** Shows the tab's last export of this spec, as the server has it now (see the rules). */
  private async reattach(dialog: HTMLDialogElement): Promise<void> {
    const id = lastJob.get(this.o.specId)
    if (id === null) return
    let job: ExportJob
    try {
      job = await getExport(id)
    } catch {
      // Expired and forgotten, or the server restarted: nothing to show.
      lastJob.set(this.o.specId, null)
      return
    }
    // Closed meanwhile, or the person started (or is starting) another export: theirs wins.
    if (this.dialog !== dialog || this.job !== null || this.starting) return
    if (job.specId !== this.o.specId || job.state === 'cancelled' || job.state === 'expired') {
      lastJob.set(this.o.specId, null)
      return
    }
    this.options = job.options
    this.previewUrl = exportPreviewUrl(this.o.specId, this.options)
    if (job.state === 'failed') this.error = failureText(job.error)
    this.follow(job)
    this.render()
  }

  private closed(): void {
    this.events?.close()
    this.events = null
    if (this.previewTimer) clearTimeout(this.previewTimer)
    this.dialog?.remove()
    this.dialog = null
  }

  private change(patch: Partial<ExportOptions>): void {
    this.options = { ...this.options, ...patch }
    // A finished job belongs to the old options: start over.
    if (this.job && FINAL.has(this.job.state)) this.job = null
    this.error = ''
    this.render()
    if (this.previewTimer) clearTimeout(this.previewTimer)
    this.previewTimer = setTimeout(() => {
      this.previewUrl = exportPreviewUrl(this.o.specId, this.options)
      this.render()
    }, PREVIEW_DEBOUNCE_MS)
  }

  private async start(): Promise<void> {
    this.starting = true
    this.error = ''
    this.job = null
    this.render()
    try {
      const job = await startExport(this.o.specId, exportOptions.parse(this.options))
      lastJob.set(this.o.specId, job.id)
      this.follow(job)
    } catch (error) {
      this.error = messageOf(error, 'The export could not be started. Try again.')
    } finally {
      this.starting = false
      this.render()
    }
  }

  /** Shows `job` and follows its event stream until it is final. */
  private follow(job: ExportJob): void {
    this.job = job
    this.events?.close()
    if (FINAL.has(job.state) || !this.dialog) return
    const events = new EventSource(exportEventsUrl(job.id))
    const onJob = (event: MessageEvent<string>): void => {
      const next = JSON.parse(event.data) as ExportJob
      if (next.id !== this.job?.id) return
      this.job = next
      if (next.state === 'failed') this.error = failureText(next.error)
      if (FINAL.has(next.state)) events.close()
      this.render()
    }
    events.addEventListener('progress', onJob)
    events.addEventListener('state', onJob)
    this.events = events
  }

  private async cancel(): Promise<void> {
    const job = this.job
    if (!job) return
    try {
      await cancelExport(job.id)
      lastJob.set(this.o.specId, null)
      this.events?.close()
      if (this.job?.id === job.id) this.job = { ...job, state: 'cancelled', stage: 'Cancelled' }
    } catch (error) {
      this.error = messageOf(error, 'The export could not be cancelled.')
    }
    this.render()
  }

  private async setTeam(on: boolean): Promise<void> {
    this.teamBusy = true
    this.render()
    try {
      this.teamMayExport = (await putExportSettings(this.o.specId, on)).teamMayExport
    } catch (error) {
      this.error = messageOf(error, 'The setting could not be saved.')
    } finally {
      this.teamBusy = false
      this.render()
    }
  }

  private render(): void {
    if (!this.dialog) return
    const job = this.job
    const active = job !== null && !FINAL.has(job.state)
    const locked = active || this.starting
    render(
      html`<div class="dialog-form export-form">
        <h2 id="${DIALOG_ID}-title" class="dialog-title">Export the brief</h2>
        <div class="export-layout">
          <div class="export-settings">
            ${optionsTemplate(this.options, locked, { change: (patch) => this.change(patch) })}
            ${this.teamMayExport === null
              ? nothing
              : html`<div class="export-check export-team">
                  <input type="checkbox" id="export-team-may" .checked=${this.teamMayExport} ?disabled=${this.teamBusy}
                    @change=${(e: Event) => void this.setTeam((e.target as HTMLInputElement).checked)} />
                  <label for="export-team-may">Team members may export this spec</label>
                </div>`}
          </div>
          <section class="export-preview" aria-labelledby="export-preview-title">
            <h3 id="export-preview-title" class="export-preview-title">Preview</h3>
            <iframe id="export-preview" class="export-preview-frame" title="Preview of the exported brief" sandbox="" src=${this.previewUrl}></iframe>
          </section>
        </div>
        <div class="export-status" aria-live="polite">${jobTemplate(job)}</div>
        <p id="export-error" class="error-message" role="alert">${this.error}</p>
        <div class="dialog-actions">
          <button type="button" id="export-close" class="button button-secondary" @click=${() => this.dialog?.close()}>Close</button>
          ${active
            ? html`<button type="button" id="export-cancel" class="button button-danger" @click=${() => void this.cancel()}>Cancel export</button>`
            : nothing}
          ${job?.state === 'done' && job.downloadUrl
            ? html`<a id="export-download" class="button button-primary" href=${job.downloadUrl} download=${job.filename ?? ''}>Download</a>`
            : html`<button type="button" id="export-start" class="button button-primary" ?disabled=${locked} @click=${() => void this.start()}>
                ${this.starting ? 'Starting…' : 'Export'}
              </button>`}
        </div>
      </div>`,
      this.dialog
    )
  }
}
