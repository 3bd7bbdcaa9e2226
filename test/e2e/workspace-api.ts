/**
 * Test setup through the HTTP API as the service's facilitator (helpers/auth.ts `facilitatorOf`):
 * panels, their specs and invite links, for browser tests whose subject is not the workspace
 * page itself.
 */
import type { Service } from '../../server/service.js'
import type { PanelRole } from '../../server/identity/identity-store.js'
import { hashSecret, newSecret } from '../../server/identity/secrets.js'
import { facilitatorOf } from '../helpers/auth.js'

/** One request as the facilitator; throws unless the answer has `status`. */
async function asFacilitator<T>(service: Service, method: string, path: string, status: number, body?: unknown): Promise<T> {
  const facilitator = await facilitatorOf(service)
  const res = await facilitator.fetch(path, { method, ...(body === undefined ? {} : { body }) })
  if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (status === 204 ? null : await res.json()) as T
}

/** Creates a panel invited to `specIds`; returns its id. */
export async function createPanel(service: Service, name: string, specIds: string[] = []): Promise<string> {
  const { panel } = await asFacilitator<{ panel: { id: string } }>(service, 'POST', '/api/panels', 201, {
    name,
    description: `${name}, a test panel`
  })
  for (const specId of specIds) await asFacilitator(service, 'PUT', `/api/panels/${panel.id}/specs/${specId}`, 200)
  return panel.id
}

/** An invite link of a panel: its id and the full URL to open. */
export interface InviteLink {
  id: string
  url: string
}

/** Creates an invite link for `panelId` with `role`. */
export async function createInviteLink(service: Service, panelId: string, role: PanelRole): Promise<InviteLink> {
  const { invite, token } = await asFacilitator<{ invite: { id: string }; token: string }>(
    service,
    'POST',
    `/api/panels/${panelId}/invites`,
    201,
    { role }
  )
  return { id: invite.id, url: `${service.url}/invite/${token}` }
}

/** Creates an invite link and revokes it. */
export async function revokedInviteLink(service: Service, panelId: string): Promise<InviteLink> {
  const link = await createInviteLink(service, panelId, 'customer')
  await asFacilitator(service, 'DELETE', `/api/invites/${link.id}`, 200)
  return link
}

/** An invite link that expired a minute ago (the API cannot make one, so the store does). */
export async function expiredInviteLink(service: Service, panelId: string): Promise<InviteLink> {
  const facilitator = await facilitatorOf(service)
  const token = newSecret()
  const invite = await service.storage.identity.createInvite({
    panelId,
    tokenHash: hashSecret(token),
    role: 'customer',
    createdBy: facilitator.principal.participantId,
    expiresAt: new Date(Date.now() - 60_000).toISOString(),
    maxUses: null
  })
  return { id: invite.id, url: `${service.url}/invite/${token}` }
}
