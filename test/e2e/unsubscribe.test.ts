/**
 * The unsubscribe page of email digests (`/unsubscribe?token=…`): opening it changes nothing
 * (mail scanners open every link), the button switches digests off, signed out as well as
 * signed in; a forged token says so and changes nothing. axe at 1280 and 375 px.
 */
import { afterAll, describe, expect, test } from 'vitest'
import { signInAs } from '../helpers/auth.js'
import { startTestService } from '../helpers/server.js'
import type { Service } from '../../server/service.js'
import { expectAccessible, newPage, poll, screenshot, signedInPage } from '../helpers/browser.js'
import { expectNoOverflow, PHONE } from './layout.js'
import { UNSUBSCRIBE_KEY_NAME, UnsubscribeTokens } from '../../server/notify/unsubscribe-tokens.js'
import { newSecret } from '../../server/identity/secrets.js'

const services: Service[] = []
afterAll(async () => {
  for (const s of services.splice(0)) await s.stop()
})

async function tokenFor(service: Service, participantId: string): Promise<string> {
  return new UnsubscribeTokens(await service.storage.identity.secret(UNSUBSCRIBE_KEY_NAME, () => newSecret())).issue(participantId)
}

describe('unsubscribe page', () => {
  test('opening the link changes nothing; the button stops digests (signed out, then signed in)', async () => {
    const service = await startTestService()
    services.push(service)
    const carla = await signInAs(service, 'customer', { displayName: 'Carla' })
    const digest = async (): Promise<unknown> => (await (await carla.fetch('/api/me/email-digest')).json()) as unknown
    const token = await tokenFor(service, carla.principal.participantId)

    // Signed out, at 1280 px: the page asks first.
    const page = await newPage()
    await page.goto(`${service.url}/unsubscribe?token=${encodeURIComponent(token)}`)
    await page.getByRole('heading', { name: 'Stop email digests?' }).waitFor()
    expect(await digest()).toEqual({ enabled: true })
    await expectAccessible(page, 'unsubscribe page')
    await screenshot(page, 'unsubscribe-1280')
    await page.getByRole('button', { name: 'Stop email digests' }).click()
    await page.getByRole('heading', { name: 'Email digests stopped' }).waitFor()
    await poll(digest).toEqual({ enabled: false })
    await expectAccessible(page, 'unsubscribe page, done')
    await page.context().close()

    // Signed in, on a phone: the same button works (the token acts, not the session).
    await carla.fetch('/api/me/email-digest', { method: 'PUT', body: { enabled: true } })
    const { page: phone } = await signedInPage(service, carla, PHONE)
    await phone.goto(`${service.url}/unsubscribe?token=${encodeURIComponent(token)}`)
    await phone.getByRole('button', { name: 'Stop email digests' }).waitFor()
    await expectNoOverflow(phone, 375)
    await expectAccessible(phone, 'unsubscribe page at 375 px')
    await screenshot(phone, 'unsubscribe-375')
    await phone.getByRole('button', { name: 'Stop email digests' }).click()
    await phone.getByRole('heading', { name: 'Email digests stopped' }).waitFor()
    await poll(digest).toEqual({ enabled: false })
    await phone.context().close()
  })

  test('a forged or missing token says so and changes nothing', async () => {
    const service = await startTestService()
    services.push(service)
    const carla = await signInAs(service, 'customer', { displayName: 'Carla' })
    const token = await tokenFor(service, carla.principal.participantId)
    const page = await newPage()
    await page.goto(`${service.url}/unsubscribe?token=${encodeURIComponent(`${token}x`)}`)
    await page.getByRole('button', { name: 'Stop email digests' }).click()
    await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor()
    expect(await (await carla.fetch('/api/me/email-digest')).json()).toEqual({ enabled: true })
    await page.goto(`${service.url}/unsubscribe`)
    await page.getByRole('alert').filter({ hasText: 'incomplete' }).waitFor()
    expect(await page.getByRole('button', { name: 'Stop email digests' }).isDisabled()).toBe(true)
    await expectAccessible(page, 'unsubscribe page, bad link')
    await page.context().close()
  })
})
