import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/server.js'
import { startChildServer } from '../helpers/child-server.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { CHILD_ADMIN_ENV, signInAt } from '../helpers/auth.js'


describe.each(['SIGTERM', 'SIGKILL'] as const)('restart after %s', (signal) => {
  it('keeps every update that was broadcast to another client', async () => {
    const dataDir = tempDir()
    const first = await startChildServer({ DATA_DIR: dataDir, ...CHILD_ADMIN_ENV })
    const session = await signInAt(first.url)
    const spec = await session.createSpec('Restart')
    const writer = connectClient(first.url, spec, { token: await session.wsToken(spec) })
    const watcher = connectClient(first.url, spec, { token: await session.wsToken(spec) })
    await Promise.all([synced(writer), synced(watcher)])
    // Many small edits, as typing makes them; the watcher records what it was sent.
    const t = writer.doc.getText('t')
    for (let i = 0; i < 200; i++) t.insert(t.length, String.fromCharCode(97 + (i % 26)))
    await eventually(() => expect(watcher.doc.getText('t').length).toBeGreaterThan(50))
    first.proc.kill(signal)
    const code = await first.exited
    if (signal === 'SIGTERM') expect(code).toBe(0)
    const seenByWatcher = watcher.doc.getText('t').toString()
    // The first acked message is the client's sync step 2; after it, one insert per update
    // message, so `acked` characters were confirmed durable.
    const acked = writer.lastAck - 1
    const written = t.toString()
    writer.destroy()
    watcher.destroy()

    const second = await startChildServer({ DATA_DIR: dataDir, ...CHILD_ADMIN_ENV })
    const reader = connectClient(second.url, spec, { token: await (await signInAt(second.url)).wsToken(spec) })
    await synced(reader)
    const stored = reader.doc.getText('t').toString()
    expect(stored.startsWith(seenByWatcher)).toBe(true)
    expect(stored.length).toBeGreaterThanOrEqual(acked)
    expect(stored).toBe(written.slice(0, stored.length))
    second.proc.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  })
})
