/**
 * "Edited by Carla, 2 minutes ago": committed edits move a spec's `updatedAt` and name its last
 * editor in `GET /api/specs` (debounced, EDIT_ACTIVITY_MS), a restart keeps both, and the
 * debounce writes once per spec however many keystrokes arrive.
 */
import { describe, expect, it } from 'vitest'
import type { Spec } from '../../shared/api.js'
import { schema } from '../../shared/schema.js'
import { EditActivity } from '../../server/sync/edit-activity.js'
import { createLogger } from '../../server/observability/logger.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { editPm, bodyStart } from '../helpers/pm-edit.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'

async function specOf(who: SignedIn, id: string): Promise<Spec> {
  const res = await who.fetch('/api/specs')
  const body = (await res.json()) as { specs: Spec[] }
  return body.specs.find((s) => s.id === id)!
}

describe('edit activity', () => {
  it('names the last editor and moves updatedAt; survives a restart', async () => {
    const dataDir = tempDir()
    let service = await startTestService({ storage: 'sqlite', dataDir, editActivityMs: 20 })
    const spec = await createSpec(service)
    const carla = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla' })
    const before = await specOf(carla, spec)
    expect(before.lastEditedBy).toBeNull()
    expect(before.updatedAt).toBe(before.createdAt)

    const client = connectClient(service, spec, { token: carla.wsToken(spec) })
    await synced(client)
    editPm(client.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Offline mode, please')))
    await eventually(async () => {
      const now = await specOf(carla, spec)
      expect(now.lastEditedBy).toEqual({ participantId: carla.principal.participantId, displayName: 'Carla' })
      expect(now.updatedAt > before.updatedAt).toBe(true)
    })
    const edited = await specOf(carla, spec)
    client.destroy()
    await service.stop()

    service = await startTestService({ storage: 'sqlite', dataDir })
    const team = await signInAs(service, 'team')
    expect(await specOf(team, spec)).toEqual(edited)
  })

  it('writes each spec once per debounce, with the time of its latest edit', async () => {
    const writes: Array<[string, string, string]> = []
    let clock = Date.parse('2026-01-01T10:00:00Z')
    const activity = new EditActivity(async (id, at, by) => void writes.push([id, at, by]), createLogger('silent'), 60_000, () => clock)
    for (let i = 0; i < 100; i++) {
      activity.note('spec-a', i % 2 === 0 ? 'p-carla' : 'p-tess')
      clock += 1000
    }
    activity.note('spec-b', 'p-carla')
    // Nothing is written before the debounce ends (flush stands in for the timer here).
    expect(writes).toEqual([])
    await activity.flush()
    expect(writes).toEqual([
      ['spec-a', '2026-01-01T10:01:39.000Z', 'p-tess'],
      ['spec-b', '2026-01-01T10:01:40.000Z', 'p-carla']
    ])
    // A failing write is logged, never thrown, and does not stop the next one.
    const failing = new EditActivity(() => Promise.reject(new Error('disk full')), createLogger('silent'), 60_000)
    failing.note('spec-a', 'p-carla')
    await expect(failing.flush()).resolves.toBeUndefined()
  })
})
