/**
 * Identity operations that write more than once run in one store transaction ([I13], [I14]):
 * a failure in the middle leaves nothing half done, and concurrent calls take turns. Run on
 * both stores.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { MemoryIdentityStore } from '../../server/identity/memory.js'
import { openSqliteIdentityStore } from '../../server/identity/sqlite-schema.js'
import type { SqliteIdentityStore } from '../../server/identity/sqlite.js'
import type { IdentityStore } from '../../server/identity/identity-store.js'
import {
  acceptInvite,
  changeMember,
  createApiToken,
  createFirstFacilitator,
  createMemberInvite,
  createPanelInvite,
  findUsableMemberInvite,
  signUp
} from '../../server/identity/operations.js'

const HASH = 'scrypt$1$1$1$c2FsdA==$aGFzaA=='
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-identity-ops-'))
const opened: SqliteIdentityStore[] = []
let n = 0
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const backends: Array<[string, () => IdentityStore]> = [
  ['memory', () => new MemoryIdentityStore()],
  [
    'sqlite',
    () => {
      const s = openSqliteIdentityStore({ file: path.join(dir, `ops-${++n}.sqlite`), synchronous: 'FULL' })
      opened.push(s)
      return s
    }
  ]
]

type Override = (original: (...args: unknown[]) => Promise<unknown>, args: unknown[]) => Promise<unknown>

/** `store`, whose transaction handles run `overrides` in place of the named methods. */
function withTx(store: IdentityStore, overrides: Partial<Record<keyof IdentityStore, Override>>): IdentityStore {
  const wrap = (tx: IdentityStore): IdentityStore =>
    new Proxy(tx, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown
        if (typeof value !== 'function') return value
        const original = (value as (...args: unknown[]) => Promise<unknown>).bind(target)
        const override = overrides[prop as keyof IdentityStore]
        return override ? (...args: unknown[]) => override(original, args) : original
      }
    })
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'transaction') {
        return <T>(fn: (tx: IdentityStore) => T | Promise<T>) => target.transaction((tx) => fn(wrap(tx)))
      }
      const value = Reflect.get(target, prop) as unknown
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value
    }
  })
}

const fail = (what: string): Override => async () => {
  throw new Error(`injected failure in ${what}`)
}

for (const [name, open] of backends) {
  describe(`identity operations in transactions: ${name}`, () => {
    async function panelWithInvite(store: IdentityStore, maxUses: number | null) {
      const panel = await store.createPanel({ name: 'Pilot', description: '' })
      const { invite, token } = await createPanelInvite(store, { panelId: panel.id, role: 'customer', maxUses, createdBy: 'f' })
      return { panel, invite, token }
    }

    it('two concurrent accepts of a one-use invite: exactly one joins', async () => {
      const store = open()
      const { panel, invite, token } = await panelWithInvite(store, 1)
      const results = await Promise.allSettled(
        ['Ana', 'Ben'].map((displayName) => acceptInvite(store, { token, displayName, email: null, current: null }))
      )
      const joined = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.participantId] : []))
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []))
      expect(joined).toHaveLength(1)
      expect(refused).toEqual(['invite_used_up'])
      expect((await store.listMembers(panel.id)).map((m) => m.participantId)).toEqual(joined)
      expect((await store.getInvite(invite.id))?.uses).toBe(1)
    })

    it('accepting an invite that fails while joining the panel uses nothing and creates nobody', async () => {
      const store = open()
      const { panel, invite, token } = await panelWithInvite(store, 1)
      const created: string[] = []
      const failing = withTx(store, {
        createInvitee: async (original, args) => {
          const p = (await original(...args)) as { id: string }
          created.push(p.id)
          return p
        },
        addMembership: fail('addMembership')
      })
      await expect(acceptInvite(failing, { token, displayName: 'Ana', email: null, current: null })).rejects.toThrow('injected')
      expect(created).toHaveLength(1)
      expect(await store.getParticipant(created[0]!)).toBeNull()
      expect((await store.getInvite(invite.id))?.uses).toBe(0)
      expect(await store.listMembers(panel.id)).toEqual([])
      // The one use is still there for the next person.
      const { participantId } = await acceptInvite(store, { token, displayName: 'Ben', email: null, current: null })
      expect((await store.listMembers(panel.id)).map((m) => m.participantId)).toEqual([participantId])
    })

    it('continuing as the current invitee: a failure after renaming leaves the old name and the use', async () => {
      const store = open()
      const { panel, invite, token } = await panelWithInvite(store, 5)
      const me = await store.createInvitee({ displayName: 'Old name', email: null })
      const failing = withTx(store, { addMembership: fail('addMembership') })
      await expect(acceptInvite(failing, { token, displayName: 'New name', email: 'n@x.test', current: me.id })).rejects.toThrow('injected')
      expect(await store.getParticipant(me.id)).toMatchObject({ displayName: 'Old name', email: null })
      expect((await store.getInvite(invite.id))?.uses).toBe(0)
      expect(await store.listMembers(panel.id)).toEqual([])
    })

    it('signing up with an email that has meanwhile got an account leaves the link unused', async () => {
      const store = open()
      const { token } = await createMemberInvite(store, { email: 'new@x.test', displayName: 'New', role: 'team', createdBy: 'f' })
      await store.createAccount({ email: 'NEW@x.test', displayName: 'Other', role: 'team', passwordHash: HASH })
      await expect(signUp(store, { token, passwordHash: HASH })).rejects.toMatchObject({ code: 'email_taken' })
      expect((await findUsableMemberInvite(store, token)).usedAt).toBeNull()
    })

    it('inviting the same email again replaces the pending link: one invitation, the newest link works', async () => {
      const store = open()
      const first = await createMemberInvite(store, { email: 'twice@x.test', displayName: 'Twice', role: 'team', createdBy: 'f' })
      const other = await createMemberInvite(store, { email: 'else@x.test', displayName: 'Else', role: 'team', createdBy: 'f' })
      const second = await createMemberInvite(store, { email: 'TWICE@x.test', displayName: 'Twice', role: 'facilitator', createdBy: 'f' })
      const pending = await store.listMemberInvites()
      expect(pending.map((i) => i.id).sort()).toEqual([other.invite.id, second.invite.id].sort())
      await expect(findUsableMemberInvite(store, first.token)).rejects.toMatchObject({ code: 'signup_not_found' })
      expect(await signUp(store, { token: second.token, passwordHash: HASH })).toMatchObject({ role: 'facilitator' })
      // Concurrent invitations of one email still leave one pending link.
      await Promise.all([1, 2, 3].map(() => createMemberInvite(store, { email: 'race@x.test', displayName: 'Race', role: 'team', createdBy: 'f' })))
      expect((await store.listMemberInvites()).filter((i) => i.email === 'race@x.test' && i.usedAt === null)).toHaveLength(1)
    })

    it('a sign-up link used twice at once makes one account', async () => {
      const store = open()
      const { token } = await createMemberInvite(store, { email: 'once@x.test', displayName: 'Once', role: 'team', createdBy: 'f' })
      const results = await Promise.allSettled([signUp(store, { token, passwordHash: HASH }), signUp(store, { token, passwordHash: HASH })])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []))).toEqual(['signup_used'])
      expect(await store.countAccounts()).toBe(1)
    })

    it('two facilitators demoting each other at once leave one facilitator', async () => {
      const store = open()
      const a = await store.createAccount({ email: 'a@x.test', displayName: 'A', role: 'facilitator', passwordHash: HASH })
      const b = await store.createAccount({ email: 'b@x.test', displayName: 'B', role: 'facilitator', passwordHash: HASH })
      const results = await Promise.allSettled([changeMember(store, a.id, { role: 'team' }), changeMember(store, b.id, { active: false })])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []))).toEqual(['last_facilitator'])
      const active = (await store.listAccounts()).filter((x) => x.role === 'facilitator' && !x.deactivatedAt)
      expect(active).toHaveLength(1)
    })

    it('deactivating ends the sessions in the same transaction', async () => {
      const store = open()
      await store.createAccount({ email: 'f@x.test', displayName: 'F', role: 'facilitator', passwordHash: HASH })
      const t = await store.createAccount({ email: 't@x.test', displayName: 'T', role: 'team', passwordHash: HASH })
      const at = new Date().toISOString()
      await store.createSession({ idHash: 's1', participantId: t.id, csrfToken: 'c', createdAt: at, expiresAt: new Date(Date.now() + 60_000).toISOString() })
      await expect(changeMember(withTx(store, { deleteSessionsOf: fail('deleteSessionsOf') }), t.id, { active: false })).rejects.toThrow('injected')
      expect((await store.getAccount(t.id))?.deactivatedAt).toBeNull()
      const { after } = await changeMember(store, t.id, { active: false })
      expect(after.deactivatedAt).not.toBeNull()
      expect(await store.hasLiveSession(t.id, new Date())).toBe(false)
    })

    it('a panel token whose membership fails is not created', async () => {
      const store = open()
      const panel = await store.createPanel({ name: 'P', description: '' })
      const failing = withTx(store, { addMembership: fail('addMembership') })
      await expect(createApiToken(failing, { name: 'ci', role: 'viewer', createdBy: null, panelIds: [panel.id] })).rejects.toThrow('injected')
      expect(await store.listTokens()).toEqual([])
      await expect(createApiToken(store, { name: 'ci', role: 'viewer', createdBy: null, panelIds: [panel.id, 'missing-panel'] })).rejects.toMatchObject({
        code: 'panel_not_found'
      })
      expect(await store.listTokens()).toEqual([])
    })

    it('the first facilitator is created once, however many try at once', async () => {
      const store = open()
      const results = await Promise.allSettled(
        ['one', 'two', 'three'].map((who) => createFirstFacilitator(store, { email: `${who}@x.test`, displayName: who, passwordHash: HASH }))
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(await store.countAccounts()).toBe(1)
    })
  })
}
