/**
 * Server-sent events (server/http/event-stream.ts) on a bare express app: heartbeats keep an
 * idle stream alive, and the cleanup runs once whichever side ends the stream.
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { openEventStream, type EventStream } from '../../server/http/event-stream.js'
import { eventually } from '../helpers/eventually.js'

const servers: Array<{ close(): void }> = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

async function serve(onStream: (stream: EventStream) => void, closes: { count: number }): Promise<string> {
  const app = express()
  app.get('/events', (req, res) => {
    const stream = openEventStream(req, res, () => closes.count++, 40)
    onStream(stream)
  })
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((r) => server.once('listening', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`
}

describe('event streams', () => {
  it('sends named JSON events and heartbeats, and cleans up once when the client leaves', async () => {
    const closes = { count: 0 }
    const url = await serve((s) => s.send('state', { a: 1, text: 'line\nbreak' }), closes)
    const abort = new AbortController()
    const res = await fetch(url, { signal: abort.signal })
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const reader = res.body!.getReader()
    let text = ''
    while ((text.match(/: heartbeat/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value)
    expect(text.startsWith('event: state\ndata: {"a":1,"text":"line\\nbreak"}\n\n')).toBe(true)
    expect(closes.count).toBe(0)
    abort.abort()
    await eventually(() => expect(closes.count).toBe(1))
  })

  it('ends from the server side: the client sees the end, the cleanup runs once', async () => {
    const closes = { count: 0 }
    const url = await serve((s) => {
      s.send('state', { done: true })
      s.end()
      s.end()
      s.send('late', {})
    }, closes)
    const text = await (await fetch(url)).text()
    expect(text).toBe('event: state\ndata: {"done":true}\n\n')
    await eventually(() => expect(closes.count).toBe(1))
  })
})
