/**
 * Edit activity: which spec was edited last, and by whom, for the spec list ("edited by Carla,
 * 2 minutes ago"). Rooms report every committed participant update here; the store is written
 * at most once per spec per `delayMs` ([M5] `SpecStore.touch`), so the keystroke path costs a
 * Map write and a typing crowd costs one UPDATE every few seconds, not one per keystroke.
 *
 * Why the time is taken when the edit commits, not when the debounced write runs: the list
 * must say when the words changed; a write delayed by the debounce (or a slow disk) must not
 * make a spec look more recently edited than it was.
 */
import type { Logger } from '../observability/logger.js'

/** Writes one spec's latest edit ([M5] `SpecStore.touch`). */
export type TouchSpec = (specId: string, at: string, by: string) => Promise<void>

/** Debounced recorder of document edits; see the file header. */
export class EditActivity {
  private readonly pending = new Map<string, { at: string; by: string }>()
  private timer: ReturnType<typeof setTimeout> | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly touch: TouchSpec,
    private readonly log: Logger,
    private readonly delayMs = 5_000,
    private readonly now: () => number = Date.now
  ) {}

  /** Records that `participantId` edited spec `specId` now (a committed update). */
  note(specId: string, participantId: string): void {
    this.pending.set(specId, { at: new Date(this.now()).toISOString(), by: participantId })
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      // flush() logs its own failures and never rejects; the catch only satisfies the linter.
      this.flush().catch(() => {})
    }, this.delayMs)
    this.timer.unref?.()
  }

  /** Writes every pending edit now; failures are logged (the next edit writes again). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const batch = [...this.pending]
    this.pending.clear()
    this.writing = this.writing.then(async () => {
      for (const [specId, { at, by }] of batch) {
        try {
          await this.touch(specId, at, by)
        } catch (err) {
          this.log.warn({ err, room: specId }, 'recording the last edit failed')
        }
      }
    })
    return this.writing
  }
}
