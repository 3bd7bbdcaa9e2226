/**
 * Server-sent events (`text/event-stream`) on one response: named events with JSON data,
 * comment heartbeats so proxies keep an idle stream open, and one cleanup whichever side ends
 * it first (the client going away, or the server's {@link EventStream.end}).
 */
import type { Request, Response } from 'express'

/** An open event stream. */
export interface EventStream {
  /** Sends `event` with `data` as JSON (one `data:` line: JSON has no raw newlines). */
  send(event: string, data: unknown): void
  /** Ends the stream (idempotent). */
  end(): void
  /** True once the stream ended, from either side. */
  readonly closed: boolean
}

/** Default time between heartbeats. */
export const HEARTBEAT_MS = 15_000

/**
 * Opens an event stream on `res`. `onClose` runs once when it ends, from either side, so
 * subscriptions made for it are always released.
 */
export function openEventStream(req: Request, res: Response, onClose: () => void, heartbeatMs = HEARTBEAT_MS): EventStream {
  res.status(200)
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  // nginx and similar proxies buffer responses unless told not to; events must arrive as sent.
  res.setHeader('X-Accel-Buffering', 'no')
  res.flushHeaders()
  let closed = false
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs)
  heartbeat.unref()
  const close = (): void => {
    if (closed) return
    closed = true
    clearInterval(heartbeat)
    onClose()
  }
  req.on('close', close)
  res.on('close', close)
  return {
    send(event, data) {
      if (closed) return
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    },
    end() {
      if (closed) return
      close()
      res.end()
    },
    get closed() {
      return closed
    }
  }
}
