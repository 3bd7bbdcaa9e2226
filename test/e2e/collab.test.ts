/**
 * Browser end-to-end tests of live co-editing: two signed-in people in two isolated browser
 * contexts on the real service, typing with the keyboard. Each person is a team account whose
 * session cookie is put into their context (the sign-in form has its own tests); their names
 * come from that identity.
 */
import { describe, expect, test } from 'vitest'
import { eventually } from '../helpers/eventually.js'
import { createSpec, startTestService, tempDir } from '../helpers/server.js'
import { newContext, openEditor, poll, waitForEditor, waitForStatus } from '../helpers/browser.js'
import { avatars, blockTexts, caretAtEnd, caretInTitle, docJson, dropConnection, expectBlocks, expectCursor, pageMe, setConnected, storedBlocks, typeTitle } from './editor-page.js'

describe('two people in one spec', () => {
  test('see each other’s text, cursors and avatars, and both reach Saved', async () => {
    const service = await startTestService()
    const id = await createSpec(service, 'Export spec')
    const [alice, bob] = await Promise.all([
      openEditor(service, id, 'Alice'),
      openEditor(service, id, 'Bob')
    ])
    await Promise.all([waitForStatus(alice, 'saved'), waitForStatus(bob, 'saved')])

    await typeTitle(alice, 'Bulk export')
    await expectBlocks(bob, ['Bulk export', ''])

    // Now both type at once, in different blocks.
    await caretInTitle(alice)
    await caretAtEnd(bob)
    await Promise.all([
      alice.keyboard.type(' for admins'),
      bob.keyboard.type('Admins can export every spec as PDF.')
    ])
    const expected = ['Bulk export for admins', 'Admins can export every spec as PDF.']
    await expectBlocks(alice, expected)
    await expectBlocks(bob, expected)

    // Names and roles come from the signed-in identities.
    await expectCursor(alice, 'Bob', 'Team')
    await expectCursor(bob, 'Alice', 'Team')
    await poll(() => avatars(alice).count()).toBe(2)
    await poll(() => avatars(bob).count()).toBe(2)
    await poll(() => alice.locator('#presence').textContent()).toContain('Bob')
    await poll(() => bob.locator('#presence').textContent()).toContain('Alice')
    expect(await alice.locator('#session-who').textContent()).toContain('Alice')
    expect(await alice.locator('#presence .avatar-self').getAttribute('data-role')).toBe('team')

    await Promise.all([waitForStatus(alice, 'saved'), waitForStatus(bob, 'saved')])
    await poll(() => alice.locator('#save-status').textContent()).toBe('Saved')
    expect(await docJson(alice)).toEqual(await docJson(bob))
  })

  test('content survives a reload, reaches a fresh browser and survives a server restart', async () => {
    const dataDir = tempDir()
    const first = await startTestService({ storage: 'sqlite', dataDir })
    const id = await createSpec(first, 'Durable spec')
    const alice = await openEditor(first, id, 'Alice')
    await typeTitle(alice, 'Retention policy')
    await caretAtEnd(alice)
    await alice.keyboard.type('Keep exports for 30 days.')
    const expected = ['Retention policy', 'Keep exports for 30 days.']
    await expectBlocks(alice, expected)
    await waitForStatus(alice, 'saved')
    // "Saved" means stored: the server's copy already has it.
    expect(await storedBlocks(first, id)).toEqual(expected)

    await alice.reload()
    await waitForEditor(alice)
    await expectBlocks(alice, expected)
    await waitForStatus(alice, 'saved')

    // A new context has no IndexedDB copy: the text can only come from the server.
    const carol = await openEditor(first, id, 'Carol')
    await expectBlocks(carol, expected)

    await first.stop()
    const second = await startTestService({ storage: 'sqlite', dataDir })
    const dave = await openEditor(second, id, 'Dave')
    await expectBlocks(dave, expected)
    await waitForStatus(dave, 'saved')

    // Sessions are stored too: Alice's cookie still signs her in after the restart (cookies
    // ignore the port, and the new server reads the same database).
    const aliceId = (await pageMe(alice)).participantId
    await alice.goto(`${second.url}/specs/${id}`)
    await waitForEditor(alice)
    expect((await pageMe(alice)).participantId).toBe(aliceId)
    await expectBlocks(alice, expected)
    await waitForStatus(alice, 'saved')
  })

  // Also a regression test: the server once handed Alice's clientID to Bob when Bob's provider
  // echoed her awareness removal, and refused her reconnect with 4509 for as long as Bob stayed.
  test('offline edits stay local and unsaved while the other person saves, then converge', async () => {
    const { service, id, alice, bob, aliceContext } = await editWhileOffline()
    await aliceContext.setOffline(false)
    // Reconnecting waits out the provider's backoff (at most 2.5 s after failed attempts).
    const merged = ['Sync plan v2', 'Alice wrote this offline.']
    await expectBlocks(alice, merged, 15_000)
    await expectBlocks(bob, merged, 15_000)
    await Promise.all([waitForStatus(alice, 'saved', 15_000), waitForStatus(bob, 'saved', 15_000)])
    expect(await docJson(alice)).toEqual(await docJson(bob))
    expect(service.sync.connections.size).toBe(2)
    expect(await storedBlocks(service, id)).toEqual(merged)
  })
})

/**
 * Alice and Bob share a spec; Alice goes offline and types a paragraph while Bob edits the title.
 * Checks along the way that Alice's text stays local and is shown as unsaved, and that Bob's
 * edit saves. Returns with Alice's context still offline.
 */
async function editWhileOffline() {
  const service = await startTestService()
  const id = await createSpec(service, 'Offline spec')
  const aliceContext = await newContext()
  const alice = await openEditor(service, id, 'Alice', await aliceContext.newPage())
  const bob = await openEditor(service, id, 'Bob')
  await typeTitle(alice, 'Sync plan')
  await expectBlocks(bob, ['Sync plan', ''])
  await poll(() => avatars(bob).count()).toBe(2)
  await Promise.all([waitForStatus(alice, 'saved'), waitForStatus(bob, 'saved')])

  // Chromium's offline emulation fails new connections but leaves an open WebSocket open (it
  // only stalls its frames), so on its own the page would notice nothing until y-websocket's
  // 30 s no-message watchdog. So drop the socket ourselves while still online, as a network
  // drop looks to the server, and wait until the server has seen it go. Then reconnect while
  // offline: those attempts fail until the context is back online.
  await dropConnection(alice)
  await eventually(() => expect(service.sync.connections.size).toBe(1))
  await poll(() => avatars(bob).count()).toBe(1)
  await aliceContext.setOffline(true)
  await setConnected(alice, true)

  await caretAtEnd(alice)
  await alice.keyboard.type('Alice wrote this offline.')
  await waitForStatus(alice, 'offline-unsaved')
  await poll(() => alice.locator('#save-status').textContent()).toBe('Offline: changes kept on this device')

  await caretInTitle(bob)
  await bob.keyboard.type(' v2')
  await expectBlocks(bob, ['Sync plan v2', ''])
  await waitForStatus(bob, 'saved')
  // Proving an absence: the server holds only Bob's socket, the one route between the two
  // pages (no BroadcastChannel: disableBc), so nothing can have crossed; check both sides.
  expect(service.sync.connections.size, 'only Bob is connected').toBe(1)
  expect(await blockTexts(bob)).toEqual(['Sync plan v2', ''])
  expect(await blockTexts(alice)).toEqual(['Sync plan', 'Alice wrote this offline.'])
  expect(await alice.locator('#save-status').getAttribute('data-status')).toBe('offline-unsaved')
  return { service, id, alice, bob, aliceContext }
}
