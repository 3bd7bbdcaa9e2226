/**
 * A SyncAccess with fixed principals, for testing the sync layer's enforcement on its own
 * (the real implementation is tested through the HTTP permission matrix).
 */
import type { IncomingMessage } from 'node:http'
import type { Principal } from '../../shared/identity.js'
import type { Role, SpecAccess } from '../../shared/permissions.js'
import type { SyncAccess, UpgradeAuth } from '../../server/sync/access.js'

/** Principals keyed by the `token` query parameter. */
export class StubAccess implements SyncAccess {
  private readonly byToken = new Map<string, Principal>()
  private readonly grants = new Map<string, SpecAccess>()
  private readonly listeners = new Set<(ids: string[]) => void>()

  /** Registers a principal reachable with `?token=<id>` and its access to every spec. */
  add(id: string, displayName: string, role: Role, access: SpecAccess): string {
    this.byToken.set(id, { participantId: id, displayName, role, kind: 'token', email: null })
    this.grants.set(id, access)
    return id
  }

  /** Changes a participant's access and emits the change. */
  change(id: string, access: SpecAccess): void {
    this.grants.set(id, access)
    for (const l of this.listeners) l([id])
  }

  async authenticate(req: IncomingMessage, _specId: string): Promise<UpgradeAuth> {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token')
    const principal = token ? this.byToken.get(token) : undefined
    if (!principal) return { ok: false, status: 401, code: 'unauthenticated', message: 'no credential' }
    const access = this.grants.get(principal.participantId) ?? 'none'
    if (access === 'none') return { ok: false, status: 403, code: 'forbidden', message: 'no access' }
    return { ok: true, principal, access }
  }

  async recheck(participantId: string): Promise<SpecAccess> {
    return this.grants.get(participantId) ?? 'none'
  }

  onAccessChanged(listener: (participantIds: string[]) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
