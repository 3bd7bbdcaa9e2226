/**
 * Feeds the server's attribution messages (type 101, `shared/protocol.ts`) into the editor's
 * attribution plugin.
 */
import type { EditorView } from 'prosemirror-view'
import type { WebsocketProvider } from 'y-websocket'
import type { SpecAttribution } from '../../shared/attribution.js'
import { messageAttribution, readAttribution } from '../../shared/protocol.js'
import { setAttribution } from './commands.js'
import { parseAttribution } from './parse.js'

/**
 * Registers the handler of message 101 on `provider`; each message replaces the attribution the
 * editor shows. A message that cannot be read is logged and skipped: the socket and the previous
 * markers stay as they are. Returns a function that unregisters it.
 *
 * Messages are applied on the next animation frame, the latest one only. Besides coalescing
 * bursts, this lets the browser report a caret the person just moved (Ctrl+End, arrow keys) to
 * ProseMirror before the redraw, which would otherwise put the old selection back.
 *
 * @example
 *   const stop = receiveAttribution(provider, view)
 */
export const receiveAttribution = (provider: WebsocketProvider, view: EditorView): (() => void) => {
  let pending: SpecAttribution | null = null
  let frame: number | null = null
  const apply = (): void => {
    frame = null
    const attribution = pending
    pending = null
    if (attribution !== null && !view.isDestroyed) setAttribution(attribution)(view.state, view.dispatch)
  }
  provider.messageHandlers[messageAttribution] = (_encoder, decoder) => {
    try {
      const attribution = parseAttribution(readAttribution(decoder))
      if (attribution === null) {
        console.warn('valence: ignored an attribution message this client cannot read')
        return
      }
      pending = attribution
      frame ??= requestAnimationFrame(apply)
    } catch (error) {
      console.error('valence: attribution message failed', error)
    }
  }
  return () => {
    delete provider.messageHandlers[messageAttribution]
    if (frame !== null) cancelAnimationFrame(frame)
  }
}
