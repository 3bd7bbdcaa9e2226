/**
 * Attribution as clients receive it: read-only facts the server computed about who wrote which
 * words of a spec. The server is the only writer (`server/attribution/`); clients render these
 * shapes (margin markers, highlights, the `GET /api/specs/:id/attribution` response) and never
 * send them back.
 *
 * Two facts are kept apart on purpose: the **author** of a character is who first wrote it; the
 * **mover** is who last inserted it (typed it, or moved it by split/join/block change/drag/undo).
 * Moving someone else's words never makes them the mover's: a block lists its authors as
 * {@link BlockAttribution.contributors} and those who moved others' words in it, with when, as
 * {@link BlockAttribution.movers}.
 *
 * No Node or DOM imports: shared by the server and the browser.
 */
import { TEAM_ROLES, type Role } from './permissions.js'

/**
 * Version of the shapes below; bumped on any incompatible change. Fields added to an object are
 * not one: a reader ignores fields it does not know, and bumping would make every client still
 * running the previous build drop all attribution (they refuse other versions) until reloaded.
 * So `BlockAttribution.movers` (issue 9 item 7) came without a bump.
 */
export const ATTRIBUTION_VERSION = 1

/** The two sides whose share is shown. Team = `TEAM_ROLES` (facilitator, team); everyone else is the customer side. */
export type RoleGroup = 'customer' | 'team'

/**
 * Label of a block. `mixed` whenever both sides wrote at least one character of it (any
 * threshold would hide someone's words; the share says how much), `none` when it has no
 * attributed text.
 */
export type AttributionLabel = 'customer' | 'team' | 'mixed' | 'none'

/** Kinds of blocks that get a marker. Each list item is its own block (nested lists too). */
export type AttributedBlockType =
  | 'title'
  | 'paragraph'
  | 'heading'
  | 'list_item'
  | 'blockquote'
  | 'code_block'

/**
 * A run of consecutive characters of one block with the same author and mover. `authorId` /
 * `moverId` are `null` for text written before attribution existed (unknown).
 */
export interface AttributionRun {
  readonly length: number
  readonly authorId: string | null
  readonly moverId: string | null
}

/** Characters of one side, plus characters whose author is unknown (not in either side). */
export interface GroupChars {
  readonly customer: number
  readonly team: number
  readonly unknown: number
}

/** One participant's share of a block (by author: who first wrote the words). */
export interface Contribution {
  readonly participantId: string
  /** From the participant directory; the id itself if the participant is unknown to it. */
  readonly displayName: string
  /** `null` if the directory does not know the participant (its characters count as `unknown`). */
  readonly role: Role | null
  readonly group: RoleGroup | null
  readonly chars: number
  /** chars / all characters of the block, 0..1. */
  readonly share: number
}

/**
 * Someone who moved characters of a block that they did not write (mover ≠ author: split, join,
 * block-type change, wrap, drag, cut and paste, undo/redo of those, or a restore of removed
 * words). Their ids are resolved through recorded merges, like authors'.
 */
export interface Mover {
  readonly participantId: string
  /** From the participant directory; the id itself if the participant is unknown to it. */
  readonly displayName: string
  /** `null` if the directory does not know the participant. */
  readonly role: Role | null
  readonly group: RoleGroup | null
  /** Characters of the block they moved and did not write. */
  readonly chars: number
  /**
   * When they last moved any of those characters: ISO 8601, from the server's clock, to the
   * second. `null` when unknown (moved before the server kept move times).
   */
  readonly lastMovedAt: string | null
}

/** Attribution of one block. */
export interface BlockAttribution {
  readonly type: AttributedBlockType
  /**
   * Child indexes from the ProseMirror doc down to the block node: `[3]` is `doc.child(3)`,
   * `[4, 1]` is `doc.child(4).child(1)` (second item of a list). Valid for the document state
   * the attribution was computed from.
   */
  readonly path: readonly number[]
  /** The first {@link EXCERPT_LENGTH} characters of the block text ("…" appended if cut). */
  readonly excerpt: string
  /** Number of text characters of the block (UTF-16 code units, as ProseMirror counts). */
  readonly length: number
  /** Author of the block's first character (`null` if the block is empty or that author is unknown). */
  readonly firstAuthorId: string | null
  /** By author, most characters first. */
  readonly contributors: readonly Contribution[]
  readonly byGroup: GroupChars
  /** customer / (customer + team), 0..1; 0 when neither side wrote anything. */
  readonly customerShare: number
  readonly label: AttributionLabel
  /**
   * Runs in text order covering all {@link length} characters. To map them onto ProseMirror
   * positions, walk the block node's text nodes in document order (`node.descendants`),
   * skipping nested `bullet_list` / `ordered_list` nodes (their items are blocks of their own),
   * and consume run lengths; hard breaks and paragraph boundaries take no run characters.
   */
  readonly runs: readonly AttributionRun[]
  /**
   * Who moved others' words in this block, most recent move first (unknown times last). Empty
   * when nobody did. Added after version 1 shipped (additive, see {@link ATTRIBUTION_VERSION}).
   */
  readonly movers: readonly Mover[]
}

/** Attribution of a whole spec, blocks in document order. */
export interface SpecAttribution {
  readonly version: typeof ATTRIBUTION_VERSION
  readonly blocks: readonly BlockAttribution[]
  /** Sum over all blocks (the title included). */
  readonly totals: GroupChars
  readonly customerShare: number
}

/** Length of {@link BlockAttribution.excerpt} before the ellipsis. */
export const EXCERPT_LENGTH = 120

/** The side a role writes for: team roles are `team`, every other role is `customer`. */
export function roleGroup(role: Role): RoleGroup {
  return TEAM_ROLES.includes(role) ? 'team' : 'customer'
}

/** customer / (customer + team), 0 when both are 0. */
export function customerShareOf(chars: GroupChars): number {
  const sum = chars.customer + chars.team
  return sum === 0 ? 0 : chars.customer / sum
}

/** The label of a block with these characters (see {@link AttributionLabel}). */
export function labelOf(chars: GroupChars): AttributionLabel {
  if (chars.customer > 0 && chars.team > 0) return 'mixed'
  if (chars.customer > 0) return 'customer'
  if (chars.team > 0) return 'team'
  return 'none'
}
