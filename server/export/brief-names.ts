/**
 * Who is named how in an export. Team members (facilitator, team) appear under their display
 * names. Customers (everyone else, and anyone whose role is unknown: the safe side) appear under
 * their names, or, when the export is anonymised, as "Customer 1", "Customer 2", … numbered by
 * first appearance: the brief model asks for names in the order the document shows them (cover,
 * body block by block, appendix), so the numbering reads in order and one person keeps one number
 * everywhere.
 *
 * Anonymised exports also scrub free text (the title, body text, links, panel names, decision
 * notes): every customer's display name (whole words, case-insensitive, 2 characters or more)
 * and email (anywhere) becomes their alias. A textblock is scrubbed as one string
 * ({@link Namer.matches}), so a name typed across a formatting change ("Car**la**") is found
 * too; a one-letter name is not scrubbed from text (it is never rendered as a name).
 */
import type { Role } from '../../shared/permissions.js'
import type { ExportParticipant } from './export-types.js'

/** A customer's name or email found in a text: `[from, to)` in UTF-16 units, and what replaces it. */
export interface NameMatch {
  from: number
  to: number
  alias: string
}

const TEAM_ROLES: readonly Role[] = ['facilitator', 'team']

/** Escapes `s` for use inside a RegExp. */
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Names participants and scrubs text for one export (see the module comment). */
export class Namer {
  private readonly byId = new Map<string, ExportParticipant>()
  private readonly aliases = new Map<string, string>()
  private readonly pattern: RegExp | null = null
  /** Lower-cased name or email → participant id, for the scrub. */
  private readonly needles = new Map<string, string>()

  constructor(
    participants: readonly ExportParticipant[],
    readonly anonymise: boolean
  ) {
    for (const p of participants) this.byId.set(p.id, p)
    if (!anonymise) return
    for (const p of participants) {
      if (!this.isCustomer(p.id)) continue
      const name = p.displayName.trim()
      if ([...name].length >= 2) this.needles.set(name.toLowerCase(), p.id)
      if (p.email) this.needles.set(p.email.trim().toLowerCase(), p.id)
    }
    const alternatives = [...this.needles.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp)
    if (alternatives.length > 0) this.pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu')
  }

  /** True unless `id` is a known team member (unknown roles count as customers: the safe side). */
  isCustomer(id: string): boolean {
    const role = this.byId.get(id)?.role ?? null
    return role === null || !TEAM_ROLES.includes(role)
  }

  /** The participant `id`, if the source knows them. */
  participant(id: string): ExportParticipant | undefined {
    return this.byId.get(id)
  }

  /** How `id` is named here (an alias, numbered on first call, for customers of an anonymised export). */
  name(id: string): string {
    if (this.anonymise && this.isCustomer(id)) {
      let alias = this.aliases.get(id)
      if (alias === undefined) this.aliases.set(id, (alias = `Customer ${this.aliases.size + 1}`))
      return alias
    }
    return this.scrub(this.byId.get(id)?.displayName ?? id)
  }

  /** `text` with every customer's name and email replaced by their alias (anonymised exports only). */
  scrub(text: string): string {
    if (this.pattern === null) return text
    return text.replace(this.pattern, (match) => this.aliasOf(match))
  }

  /**
   * Where `text` names a customer, in order, each with the alias that replaces it (numbered now,
   * in reading order). For text split across nodes that must be scrubbed as one string.
   */
  matches(text: string): NameMatch[] {
    if (this.pattern === null) return []
    return [...text.matchAll(this.pattern)].map((m) => ({ from: m.index, to: m.index + m[0].length, alias: this.aliasOf(m[0]) }))
  }

  private aliasOf(match: string): string {
    const id = this.needles.get(match.toLowerCase())
    return id === undefined ? 'a customer' : this.name(id)
  }

  /** Names and emails an anonymised export must not contain (for tests and self-checks). */
  get forbidden(): string[] {
    return [...this.needles.keys()]
  }
}
