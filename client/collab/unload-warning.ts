/**
 * Warns before the tab closes while local changes have not reached the server (issue 9,
 * item 11). The changes are not lost (they are kept in this browser's IndexedDB copy and sent on
 * the next visit), but a person closing the tab may believe they were saved, or may not come
 * back on this device.
 *
 * Rules: warn only when the save status is not "saved" AND something local is pending (changes
 * made offline, or frames sent but not acknowledged); a page that is merely connecting, with
 * nothing typed, closes silently. Browsers show their own text; the page's status line says
 * where the changes are ("kept on this device").
 */
import type { SaveState, SaveTracker } from '../../shared/save-status.js'

/** Whether closing now would leave local changes unsaved on the server. */
export const hasUnsavedChanges = (state: SaveState): boolean =>
  state.status !== 'saved' && (state.dirty || state.sent > state.acked)

/** Installs the `beforeunload` warning for `tracker`; returns a teardown. */
export const warnBeforeUnload = (tracker: SaveTracker): (() => void) => {
  const onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (!hasUnsavedChanges(tracker.current)) return
    event.preventDefault()
    // Older browsers need returnValue set; its text is ignored by all current ones.
    event.returnValue = ''
  }
  window.addEventListener('beforeunload', onBeforeUnload)
  return () => window.removeEventListener('beforeunload', onBeforeUnload)
}
