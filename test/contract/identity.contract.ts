/**
 * The identity store contract: every IdentityStore implementation runs these, rule by rule
 * ([I1]-[I17] in server/identity/identity-store.ts).
 */
import { describe, expect, it } from 'vitest'
import type { IdentityStore } from '../../server/identity/identity-store.js'

/** Builds a fresh store per test; `reopen` (if given) reopens the same data after `close`. */
export interface IdentityStoreFactory {
  create(): Promise<IdentityStore>
  close?(): Promise<void>
  reopen?(): Promise<IdentityStore>
}

const HOUR = 60 * 60 * 1000
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString()
const account = (email: string, role: 'facilitator' | 'team' = 'team') => ({
  email,
  displayName: email.split('@')[0]!,
  role,
  passwordHash: 'scrypt$1$1$1$c2FsdA==$aGFzaA=='
})

/** Registers the identity contract for one implementation. */
export function identityContract(name: string, factory: IdentityStoreFactory): void {
  describe(`identity store contract: ${name}`, () => {
    it('[I1] participants of every kind have unique, stable ids', async () => {
      const s = await factory.create()
      const a = await s.createAccount(account('a@x.test'))
      const i = await s.createInvitee({ displayName: 'Ina', email: null })
      const t = await s.createToken({ name: 'ci', role: 'team', tokenHash: 'h1', createdBy: a.id })
      expect(new Set([a.id, i.id, t.id]).size).toBe(3)
      expect(await s.getParticipant(a.id)).toMatchObject({ id: a.id, kind: 'account', displayName: 'a' })
      expect(await s.getParticipant(i.id)).toMatchObject({ id: i.id, kind: 'invitee', displayName: 'Ina', email: null })
      expect(await s.getParticipant(t.id)).toMatchObject({ id: t.id, kind: 'token', displayName: 'ci' })
      expect(await s.getParticipant('missing-id')).toBeNull()
      expect(await s.updateParticipant(i.id, { displayName: 'Ina B', email: 'ina@x.test' })).toMatchObject({ displayName: 'Ina B', email: 'ina@x.test' })
      expect(await s.getParticipant(i.id)).toMatchObject({ displayName: 'Ina B', email: 'ina@x.test' })
    })

    it('[I2] account emails are unique case-insensitively and stored lower-cased', async () => {
      const s = await factory.create()
      const a = await s.createAccount(account('Mixed@Case.Test', 'facilitator'))
      expect(a.email).toBe('mixed@case.test')
      await expect(s.createAccount(account('MIXED@case.test'))).rejects.toMatchObject({ code: 'email_taken' })
      expect((await s.getAccountByEmail('mixed@CASE.test'))?.id).toBe(a.id)
      expect(await s.getAccountByEmail('other@case.test')).toBeNull()
      expect(await s.countAccounts()).toBe(1)
      expect((await s.listAccounts()).map((x) => x.id)).toEqual([a.id])
    })

    it('[I3] updateAccount changes only the given fields', async () => {
      const s = await factory.create()
      const a = await s.createAccount(account('u@x.test'))
      const when = iso(0)
      const updated = await s.updateAccount(a.id, { role: 'facilitator', deactivatedAt: when })
      expect(updated).toMatchObject({ role: 'facilitator', deactivatedAt: when, passwordHash: a.passwordHash, displayName: 'u' })
      expect(await s.getAccount(a.id)).toEqual(updated)
      expect(await s.updateAccount(a.id, { deactivatedAt: null })).toMatchObject({ deactivatedAt: null, role: 'facilitator' })
      expect(await s.updateAccount('missing-id', { role: 'team' })).toBeNull()
    })

    it('[I4] sessions are found by hash until they expire or are deleted', async () => {
      const s = await factory.create()
      const base = { participantId: 'p1', csrfToken: 'c', createdAt: iso(0) }
      await s.createSession({ ...base, idHash: 'live', expiresAt: iso(HOUR) })
      await s.createSession({ ...base, idHash: 'old', expiresAt: iso(-1000) })
      await s.createSession({ ...base, idHash: 'other', participantId: 'p2', expiresAt: iso(HOUR) })
      const now = new Date()
      expect(await s.getSession('live', now)).toMatchObject({ idHash: 'live', participantId: 'p1', csrfToken: 'c' })
      expect(await s.getSession('old', now)).toBeNull()
      expect(await s.hasLiveSession('p1', now)).toBe(true)
      await s.extendSession('live', iso(2 * HOUR))
      expect((await s.getSession('live', new Date(Date.now() + 1.5 * HOUR)))?.idHash).toBe('live')
      expect((await s.deleteSession('live'))?.idHash).toBe('live')
      expect(await s.getSession('live', now)).toBeNull()
      expect(await s.hasLiveSession('p1', now)).toBe(false)
      expect(await s.deleteExpiredSessions(now)).toBe(1)
      expect(await s.deleteExpiredSessions(now)).toBe(0)
      expect(await s.deleteSessionsOf('p2')).toBe(1)
      expect(await s.getSession('other', now)).toBeNull()
    })

    it('[I5] panels: create, get, list, update, delete with everything attached', async () => {
      const s = await factory.create()
      const p = await s.createPanel({ name: 'Pilot', description: 'first' })
      const q = await s.createPanel({ name: 'Beta', description: '' })
      expect(await s.getPanel(p.id)).toEqual(p)
      expect((await s.listPanels()).map((x) => x.id).sort()).toEqual([p.id, q.id].sort())
      expect(await s.updatePanel(p.id, { name: 'Pilot 2' })).toMatchObject({ name: 'Pilot 2', description: 'first' })
      await s.setPanelSpec(p.id, 'spec-0001', true)
      const inv = await s.createInvitee({ displayName: 'x', email: null })
      await s.addMembership(p.id, inv.id, 'customer')
      const link = await s.createInvite({ panelId: p.id, tokenHash: 'th', role: 'customer', createdBy: 'f', expiresAt: iso(HOUR), maxUses: null })
      expect(await s.deletePanel(p.id)).toBe(true)
      expect(await s.deletePanel(p.id)).toBe(false)
      expect(await s.getPanel(p.id)).toBeNull()
      expect(await s.specIdsOfPanel(p.id)).toEqual([])
      expect(await s.membershipsOf(inv.id)).toEqual([])
      expect(await s.getInvite(link.id)).toBeNull()
      expect(await s.updatePanel(p.id, { name: 'x' })).toBeNull()
    })

    it('[I6] panel spec invitations are idempotent', async () => {
      const s = await factory.create()
      const p = await s.createPanel({ name: 'P', description: '' })
      expect(await s.setPanelSpec(p.id, 'spec-0001', true)).toBe(true)
      expect(await s.setPanelSpec(p.id, 'spec-0001', true)).toBe(false)
      expect(await s.setPanelSpec(p.id, 'spec-0002', true)).toBe(true)
      expect((await s.specIdsOfPanel(p.id)).sort()).toEqual(['spec-0001', 'spec-0002'])
      expect(await s.setPanelSpec(p.id, 'spec-0001', false)).toBe(true)
      expect(await s.setPanelSpec(p.id, 'spec-0001', false)).toBe(false)
      expect(await s.specIdsOfPanel(p.id)).toEqual(['spec-0002'])
      await expect(s.setPanelSpec('missing-panel', 'spec-0001', true)).rejects.toMatchObject({ code: 'not_found' })
    })

    it('[I7] memberships: added once, removal is remembered, only active ones are listed', async () => {
      const s = await factory.create()
      const p = await s.createPanel({ name: 'P', description: '' })
      const q = await s.createPanel({ name: 'Q', description: '' })
      const inv = await s.createInvitee({ displayName: 'x', email: null })
      expect(await s.addMembership(p.id, inv.id, 'customer')).toBe('added')
      expect(await s.addMembership(p.id, inv.id, 'viewer')).toBe('exists')
      expect(await s.addMembership(q.id, inv.id, 'viewer')).toBe('added')
      expect((await s.membershipsOf(inv.id)).map((m) => [m.panelId, m.role]).sort()).toEqual([[p.id, 'customer'], [q.id, 'viewer']].sort())
      expect((await s.listMembers(p.id)).map((m) => m.participantId)).toEqual([inv.id])
      expect(await s.removeMembership(p.id, inv.id)).toBe(true)
      expect(await s.removeMembership(p.id, inv.id)).toBe(false)
      expect(await s.listMembers(p.id)).toEqual([])
      expect((await s.membershipsOf(inv.id)).map((m) => m.panelId)).toEqual([q.id])
      expect((await s.getMembership(p.id, inv.id))?.removedAt).not.toBeNull()
      expect(await s.addMembership(p.id, inv.id, 'customer')).toBe('removed')
      await expect(s.addMembership('missing-panel', inv.id, 'viewer')).rejects.toMatchObject({ code: 'not_found' })
    })

    it('[I8] consuming an invite is atomic and checks revocation, expiry and maximum uses', async () => {
      const s = await factory.create()
      const p = await s.createPanel({ name: 'P', description: '' })
      const make = (over: { expiresAt?: string; maxUses?: number | null; tokenHash: string }) =>
        s.createInvite({ panelId: p.id, role: 'viewer', createdBy: 'f', expiresAt: iso(HOUR), maxUses: null, ...over })
      const limited = await make({ tokenHash: 'a', maxUses: 3 })
      const results = await Promise.all(Array.from({ length: 10 }, () => s.consumeInvite(limited.id, new Date())))
      expect(results.filter((r) => r === 'ok')).toHaveLength(3)
      expect(results.filter((r) => r === 'used_up')).toHaveLength(7)
      expect((await s.getInvite(limited.id))?.uses).toBe(3)
      const expired = await make({ tokenHash: 'b', expiresAt: iso(-1) })
      expect(await s.consumeInvite(expired.id, new Date())).toBe('expired')
      const revoked = await make({ tokenHash: 'c' })
      expect((await s.revokeInvite(revoked.id, iso(0)))?.revokedAt).not.toBeNull()
      expect(await s.consumeInvite(revoked.id, new Date())).toBe('revoked')
      expect(await s.consumeInvite('missing-id', new Date())).toBe('not_found')
      expect((await s.getInviteByHash('a'))?.id).toBe(limited.id)
      expect((await s.listInvites(p.id)).length).toBe(3)
      // Labels are kept as given; without one, null.
      expect(limited.label).toBeNull()
      const labelled = await s.createInvite({ panelId: p.id, role: 'customer', createdBy: 'f', expiresAt: iso(HOUR), maxUses: 20, tokenHash: 'd', label: 'Berlin workshop, Dienstag — 火曜日' })
      expect(await s.getInvite(labelled.id)).toEqual(labelled)
      expect(labelled.label).toBe('Berlin workshop, Dienstag — 火曜日')
    })

    it('[I9] team sign-up links are single-use and expire', async () => {
      const s = await factory.create()
      const base = { email: 'New@X.test', displayName: 'New', role: 'team' as const, createdBy: 'f' }
      const i = await s.createMemberInvite({ ...base, tokenHash: 'm1', expiresAt: iso(HOUR) })
      expect(i.email).toBe('new@x.test')
      expect((await s.getMemberInviteByHash('m1'))?.id).toBe(i.id)
      const both = await Promise.all([s.useMemberInvite(i.id, new Date()), s.useMemberInvite(i.id, new Date())])
      expect(both.filter(Boolean)).toHaveLength(1)
      const old = await s.createMemberInvite({ ...base, tokenHash: 'm2', expiresAt: iso(-1) })
      expect(await s.useMemberInvite(old.id, new Date())).toBe(false)
      expect((await s.listMemberInvites()).length).toBe(2)
      expect(await s.deleteMemberInvite(old.id)).toBe(true)
      expect(await s.deleteMemberInvite(old.id)).toBe(false)
    })

    it('[I10] tokens are found by hash until revoked', async () => {
      const s = await factory.create()
      const t = await s.createToken({ name: 'ci', role: 'viewer', tokenHash: 'tok', createdBy: null })
      expect((await s.getTokenByHash('tok'))?.id).toBe(t.id)
      const at = iso(0)
      await s.touchToken(t.id, at)
      expect((await s.getToken(t.id))?.lastUsedAt).toBe(at)
      expect((await s.revokeToken(t.id, at))?.revokedAt).toBe(at)
      expect(await s.getTokenByHash('tok')).toBeNull()
      expect((await s.getToken(t.id))?.revokedAt).toBe(at)
      expect(await s.revokeToken('missing-id', at)).toBeNull()
      expect((await s.listTokens()).map((x) => x.id)).toEqual([t.id])
    })

    it('[I11] a named secret is created once', async () => {
      const s = await factory.create()
      const first = await s.secret('k', () => 'one')
      expect(first).toBe('one')
      expect(await s.secret('k', () => 'two')).toBe('one')
      expect(await s.secret('other', () => 'three')).toBe('three')
    })

    it('[I16] a participant has one return link; a new one or a revoke retires the old', async () => {
      const s = await factory.create()
      const p = await s.createInvitee({ displayName: 'Carla', email: null })
      const q = await s.createInvitee({ displayName: 'Dana', email: null })
      expect(await s.participantOfReturnLink('h1')).toBeNull()
      await s.setReturnLink(p.id, 'h1')
      await s.setReturnLink(q.id, 'hq')
      expect(await s.participantOfReturnLink('h1')).toBe(p.id)
      await s.setReturnLink(p.id, 'h2')
      expect(await s.participantOfReturnLink('h1')).toBeNull()
      expect(await s.participantOfReturnLink('h2')).toBe(p.id)
      expect(await s.deleteReturnLink(p.id)).toBe(true)
      expect(await s.deleteReturnLink(p.id)).toBe(false)
      expect(await s.participantOfReturnLink('h2')).toBeNull()
      expect(await s.participantOfReturnLink('hq')).toBe(q.id)
    })

    it('[I17] merges are history: once per participant, never into itself or a merged-away one', async () => {
      const s = await factory.create()
      const panel = await s.createPanel({ name: 'P', description: '' })
      const [a, b, c, d] = await Promise.all(['A', 'B', 'C', 'D'].map((n) => s.createInvitee({ displayName: n, email: null })))
      const by = (await s.createAccount(account('merger@x.test', 'facilitator'))).id
      expect(await s.mergeOf(b!.id)).toBeNull()
      expect(await s.listMerges()).toEqual([])
      const first = await s.recordMerge({ panelId: panel.id, fromId: b!.id, intoId: a!.id, by, at: iso(0) })
      expect(first).toEqual({ id: expect.any(String), panelId: panel.id, fromId: b!.id, intoId: a!.id, by, at: first.at })
      expect(await s.mergeOf(b!.id)).toEqual(first)
      expect(await s.mergeOf(a!.id)).toBeNull()
      // Merged away once only, never into itself, never into someone merged away.
      await expect(s.recordMerge({ panelId: panel.id, fromId: b!.id, intoId: c!.id, by, at: iso(1) })).rejects.toMatchObject({ code: 'already_merged' })
      await expect(s.recordMerge({ panelId: panel.id, fromId: c!.id, intoId: b!.id, by, at: iso(1) })).rejects.toMatchObject({ code: 'merged_away' })
      await expect(s.recordMerge({ panelId: panel.id, fromId: c!.id, intoId: c!.id, by, at: iso(1) })).rejects.toBeInstanceOf(RangeError)
      // The survivor may later be merged away itself (a chain; aliases resolve it), in order.
      const second = await s.recordMerge({ panelId: panel.id, fromId: a!.id, intoId: d!.id, by, at: iso(2) })
      expect((await s.listMerges()).map((m) => m.id)).toEqual([first.id, second.id])
      // A merge inside a failed transaction is undone with it.
      await expect(
        s.transaction(async (tx) => {
          await tx.recordMerge({ panelId: panel.id, fromId: c!.id, intoId: d!.id, by, at: iso(3) })
          throw new Error('fails after the merge')
        })
      ).rejects.toThrow('fails after the merge')
      expect(await s.mergeOf(c!.id)).toBeNull()
      expect(await s.listMerges()).toHaveLength(2)
    })

    it('[I13] a transaction is all or nothing', async () => {
      const s = await factory.create()
      const a = await s.createAccount(account('tx@x.test', 'facilitator'))
      const p = await s.createPanel({ name: 'P', description: 'd' })
      const link = await s.createInvite({ panelId: p.id, tokenHash: 'tx', role: 'customer', createdBy: a.id, expiresAt: iso(HOUR), maxUses: 1 })
      await s.createSession({ idHash: 'keep', participantId: a.id, csrfToken: 'c', createdAt: iso(0), expiresAt: iso(HOUR) })
      const made: { invitee?: string; token?: string } = {}
      const boom = new Error('fails in the middle')
      await expect(
        s.transaction(async (tx) => {
          expect(await tx.consumeInvite(link.id, new Date())).toBe('ok')
          made.invitee = (await tx.createInvitee({ displayName: 'Half', email: null })).id
          await tx.addMembership(p.id, made.invitee, 'customer')
          await tx.updateAccount(a.id, { role: 'team', deactivatedAt: iso(0) })
          expect(await tx.deleteSessionsOf(a.id)).toBe(1)
          await tx.createAccount(account('new@x.test'))
          made.token = (await tx.createToken({ name: 't', role: 'team', tokenHash: 'tt', createdBy: a.id })).id
          await tx.setPanelSpec(p.id, 'spec-0001', true)
          expect(await tx.secret('k', () => 'half')).toBe('half')
          // A transaction on the handle joins this one: undone with it.
          await tx.transaction(async (inner) => inner.updatePanel(p.id, { name: 'Renamed' }))
          // Inside, the transaction reads its own writes.
          expect((await tx.getAccount(a.id))?.role).toBe('team')
          expect((await tx.listMembers(p.id)).map((m) => m.participantId)).toEqual([made.invitee])
          throw boom
        })
      ).rejects.toBe(boom)
      expect((await s.getInvite(link.id))?.uses).toBe(0)
      expect(await s.getParticipant(made.invitee!)).toBeNull()
      expect(await s.listMembers(p.id)).toEqual([])
      expect(await s.getAccount(a.id)).toEqual(a)
      expect((await s.getSession('keep', new Date()))?.participantId).toBe(a.id)
      expect(await s.getAccountByEmail('new@x.test')).toBeNull()
      expect(await s.countAccounts()).toBe(1)
      expect(await s.getToken(made.token!)).toBeNull()
      expect(await s.getParticipant(made.token!)).toBeNull()
      expect(await s.specIdsOfPanel(p.id)).toEqual([])
      expect(await s.getPanel(p.id)).toEqual(p)
      expect(await s.secret('k', () => 'after')).toBe('after')

      // A store refusal in the middle (not only the caller's own throw) undoes the rest too.
      await expect(
        s.transaction(async (tx) => {
          await tx.createPanel({ name: 'Q', description: '' })
          await tx.createAccount(account('TX@x.test'))
        })
      ).rejects.toMatchObject({ code: 'email_taken' })
      expect((await s.listPanels()).map((x) => x.id)).toEqual([p.id])

      // Success commits everything and returns fn's value.
      const joined = await s.transaction(async (tx) => {
        expect(await tx.consumeInvite(link.id, new Date())).toBe('ok')
        const invitee = await tx.createInvitee({ displayName: 'Whole', email: null })
        await tx.addMembership(p.id, invitee.id, 'customer')
        return invitee.id
      })
      expect((await s.getInvite(link.id))?.uses).toBe(1)
      expect((await s.listMembers(p.id)).map((m) => m.participantId)).toEqual([joined])
      expect(await s.getParticipant(joined)).toMatchObject({ kind: 'invitee', displayName: 'Whole' })
    })

    it('[I14] transactions take turns, and calls outside one neither see it nor are undone with it', async () => {
      const s = await factory.create()
      const p = await s.createPanel({ name: 'P', description: '' })
      const link = await s.createInvite({ panelId: p.id, tokenHash: 'once', role: 'viewer', createdBy: 'f', expiresAt: iso(HOUR), maxUses: 1 })
      const created: string[] = []
      // Shaped like accepting an invite, but creating the invitee first, so the loser has a
      // write to undo.
      const accept = (name: string) =>
        s.transaction(async (tx) => {
          const invitee = await tx.createInvitee({ displayName: name, email: null })
          created.push(invitee.id)
          const used = await tx.consumeInvite(link.id, new Date())
          if (used !== 'ok') throw new Error(used)
          await tx.addMembership(p.id, invitee.id, 'viewer')
          return invitee.id
        })
      const results = await Promise.allSettled([accept('A'), accept('B')])
      const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []))
      expect(won).toHaveLength(1)
      expect(lost).toEqual(['used_up'])
      expect((await s.listMembers(p.id)).map((m) => m.participantId)).toEqual(won)
      expect((await s.getInvite(link.id))?.uses).toBe(1)
      expect(created).toHaveLength(2)
      expect(await s.getParticipant(created.find((id) => id !== won[0])!)).toBeNull()

      let opened!: () => void
      const isOpen = new Promise<void>((resolve) => (opened = resolve))
      const failing = s.transaction(async (tx) => {
        await tx.createPanel({ name: 'Uncommitted', description: '' })
        opened()
        // Still open for a few more steps, while the calls below are made from outside.
        for (let i = 0; i < 5; i++) await tx.listPanels()
        throw new Error('undo')
      })
      await isOpen
      const seen = s.listPanels()
      const outsideWrite = s.createPanel({ name: 'Outside', description: '' })
      await expect(failing).rejects.toThrow('undo')
      expect((await seen).map((x) => x.name)).toEqual(['P'])
      await outsideWrite
      expect((await s.listPanels()).map((x) => x.name).sort()).toEqual(['Outside', 'P'])
    })

    it('[I15] a transaction works only through its handle, only while open, and waits on nothing else', async () => {
      const s = await factory.create()
      // The store itself inside fn: refused, not a deadlock.
      await expect(s.transaction(async () => s.listPanels())).rejects.toBeInstanceOf(RangeError)
      await expect(s.transaction(async () => s.transaction(async () => 1))).rejects.toBeInstanceOf(RangeError)
      // The handle after fn settled.
      let leaked: IdentityStore | null = null
      expect(await s.transaction((tx) => ((leaked = tx), 7))).toBe(7)
      await expect(leaked!.listPanels()).rejects.toBeInstanceOf(RangeError)
      await expect(leaked!.transaction(async () => 1)).rejects.toBeInstanceOf(RangeError)
      // Waiting on something else (here a promise only the test resolves): rolled back at once.
      let release!: () => void
      const elsewhere = new Promise<void>((resolve) => (release = resolve))
      let after: Promise<unknown> | null = null
      await expect(
        s.transaction(async (tx) => {
          await tx.createPanel({ name: 'Slow', description: '' })
          await elsewhere
          after = tx.createPanel({ name: 'Later', description: '' })
          await after
        })
      ).rejects.toBeInstanceOf(RangeError)
      expect(await s.listPanels()).toEqual([])
      release()
      await expect(new Promise((resolve) => setTimeout(resolve, 0)).then(() => after)).rejects.toBeInstanceOf(RangeError)
      // The store works normally afterwards.
      await s.transaction(async (tx) => tx.createPanel({ name: 'Fine', description: '' }))
      expect((await s.listPanels()).map((x) => x.name)).toEqual(['Fine'])
    })

    if (factory.reopen) {
      it('[I12] identity data survives close and reopen', async () => {
        const s = await factory.create()
        const a = await s.createAccount(account('keep@x.test', 'facilitator'))
        const p = await s.createPanel({ name: 'Kept', description: 'd' })
        await s.setPanelSpec(p.id, 'spec-0001', true)
        await s.createSession({ idHash: 'sess', participantId: a.id, csrfToken: 'c', createdAt: iso(0), expiresAt: iso(HOUR) })
        const secret = await s.secret('k', () => 'persisted')
        const invitee = await s.createInvitee({ displayName: 'Carla', email: null })
        await s.setReturnLink(invitee.id, 'return-hash')
        const other = await s.createInvitee({ displayName: 'Carla', email: null })
        const merge = await s.recordMerge({ panelId: p.id, fromId: other.id, intoId: invitee.id, by: a.id, at: iso(0) })
        await factory.close!()
        const again = await factory.reopen!()
        expect((await again.getAccountByEmail('keep@x.test'))?.id).toBe(a.id)
        expect(await again.specIdsOfPanel(p.id)).toEqual(['spec-0001'])
        expect((await again.getSession('sess', new Date()))?.participantId).toBe(a.id)
        expect(await again.secret('k', () => 'new')).toBe(secret)
        expect(await again.participantOfReturnLink('return-hash')).toBe(invitee.id)
        expect(await again.listMerges()).toEqual([merge])
      })
    }
  })
}
