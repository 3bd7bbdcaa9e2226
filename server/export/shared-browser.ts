/**
 * One warm Chromium shared by the PDF export jobs of a server.
 *
 * Why: launching Chromium costs a job about 0.6 s of a PDF's ~3 s (and its closing more), and
 * every job paid it again. The main thread owns one Playwright browser *server*
 * (`chromium.launchServer`), started by the first PDF job; each job's worker connects to its
 * WebSocket endpoint (render-pdf.ts), opens its own context (isolated: own storage, JavaScript
 * off, offline, every request refused), prints, and closes that context and its connection.
 * The browser stays up for the next job.
 *
 * Rules:
 * - [B1] Lazy: nothing runs until the first {@link SharedBrowser.acquire}; concurrent acquires
 *   while it starts share the one launch.
 * - [B2] Leases: a job holds a lease from before its worker starts until the worker exits. With
 *   no lease held for `idleMs` (unref'd timer) the browser is closed; the next acquire starts a
 *   new one.
 * - [B3] Crash: if the browser process died (its server reported `close`), the next acquire
 *   starts a new one. Jobs connected to the dead one fail on their own (render_failed).
 * - [B4] {@link SharedBrowser.close} (service stop) closes the browser and refuses later
 *   acquires, so no Chromium outlives the server.
 *
 * Exposure: the server listens on loopback only, at a path with a random token; the endpoint
 * is never logged and reaches only job workers (in their `workerData`).
 *
 * Trade-off: the Playwright server relays the protocol of every job on this (main) thread's
 * event loop; the heavy parts (layout, printing) stay in Chromium and the client side in the
 * job's worker. exports-load.test.ts measures keystroke acks while PDFs print through it.
 */
import { chromium, type BrowserServer } from 'playwright-core'
import type { Logger } from '../observability/logger.js'
import { exportBrowserMarker } from './render-pdf.js'

/** Close the shared browser after this long without a PDF job ([B2]). */
export const BROWSER_IDLE_MS = 60_000

/** A job's hold on the shared browser: connect to `endpoint`, call `release` once done. */
export interface BrowserLease {
  endpoint: string
  release(): void
}

/** How the shared browser is set up. */
export interface SharedBrowserOptions {
  chromiumPath: string
  log: Logger
  /** Default {@link BROWSER_IDLE_MS}. */
  idleMs?: number
}

/** The shared browser server of one export runtime (see the module comment). */
export class SharedBrowser {
  private server: Promise<BrowserServer> | null = null
  private leases = 0
  private idleTimer: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly opts: SharedBrowserOptions) {}

  /** A lease on the running browser, starting it if needed ([B1], [B3]). */
  async acquire(): Promise<BrowserLease> {
    if (this.closed) throw new Error('the shared browser is closed')
    this.leases++
    this.clearIdle()
    try {
      const server = await (this.server ??= this.launch())
      if (this.closed) throw new Error('the shared browser is closed')
      let released = false
      return {
        endpoint: server.wsEndpoint(),
        release: () => {
          if (released) return
          released = true
          this.drop()
        }
      }
    } catch (err) {
      this.drop()
      throw err
    }
  }

  /** Pid of the browser process while one runs (tests and operators). */
  async pid(): Promise<number | null> {
    const server = await this.server?.catch(() => null)
    return server?.process().pid ?? null
  }

  /** How many leases are held. */
  get held(): number {
    return this.leases
  }

  /** Closes the browser and refuses later acquires ([B4]). Idempotent. */
  async close(): Promise<void> {
    this.closed = true
    this.clearIdle()
    await this.shutDown()
  }

  private launch(): Promise<BrowserServer> {
    const started = chromium.launchServer({ executablePath: this.opts.chromiumPath, headless: true, host: '127.0.0.1', args: [exportBrowserMarker(), '--disable-gpu'] })
    const launching = started.then((server) => {
      // [B3]: a crashed (or closed) browser is forgotten, so the next acquire launches anew.
      server.on('close', () => {
        if (this.server === launching) this.server = null
      })
      this.opts.log.info({ pid: server.process().pid }, 'shared export browser started')
      return server
    })
    // A failed launch is not kept: the next acquire tries again.
    launching.catch((err: unknown) => {
      if (this.server === launching) this.server = null
      this.opts.log.error({ err }, 'shared export browser did not start')
    })
    return launching
  }

  private drop(): void {
    this.leases = Math.max(0, this.leases - 1)
    if (this.leases > 0 || this.closed || !this.server) return
    this.clearIdle()
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (this.leases === 0) this.shutDown().catch((err: unknown) => this.opts.log.warn({ err }, 'shared export browser did not close'))
    }, this.opts.idleMs ?? BROWSER_IDLE_MS)
    this.idleTimer.unref()
  }

  private async shutDown(): Promise<void> {
    const pending = this.server
    this.server = null
    const server = await pending?.catch(() => null)
    if (!server) return
    await server.close().catch(async () => server.kill())
    this.opts.log.info('shared export browser closed')
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }
}
