/**
 * The attribution engine of one spec: clientID bindings, who wrote / who moved every character,
 * and what each participant deleted recently. Pure logic over a Y.Doc; the room drives it.
 *
 * Rules, applied to every accepted update of participant P (its Yjs transaction):
 * 1. New structs of a clientID bound to someone else: the whole update is refused before it is
 *    applied ({@link AttributionEngine.checkWrite}). Otherwise the clientIDs P wrote with are
 *    bound to P.
 * 2. A character that stayed in place never changes author: only characters the update
 *    inserted are attributed (their clocks are new, so no earlier fact is overridden).
 * 3. An inserted character keeps the author of a deleted character it is matched with
 *    ({@link matchText}): an equal character, each deleted character matched at most once.
 *    First against what this update deleted (split, join, block-type change, wrap/lift,
 *    drag-and-drop, undo/redo of those; here leftovers that are a rearrangement of the
 *    deleted characters match too). Then against what P deleted in earlier updates within the
 *    window (10 min): cut → paste for pieces of `minMatch` (6) characters or more anywhere,
 *    delete → undo and undo → redo for any piece where Yjs puts restored text, in front of the
 *    deleted item (undo.ts); so retyping a deleted "." elsewhere is typing, not a paste.
 * 4. Everything else P inserted is authored by P. The mover of every inserted character is P.
 *    The origin of every inserted character (its Yjs id as first written, see author-map.ts)
 *    is that of the deleted character it was matched with in rule 3, else its own id.
 *    Characters whose author is not P (P moved them) are stamped with the server's clock, in
 *    seconds: when P moved them (inserted.ts). No time comes from a client.
 * 5. Deleted text nobody re-used goes into P's recently-deleted index (unless P wrote all of
 *    it); characters re-used from that index are consumed there. The same runs are reported for
 *    the transaction ({@link AttributionEngine.takeDeletions}): removals of other people's words
 *    are recorded from them (server/review/removals.ts); nothing is reported, and nothing costs,
 *    when P deleted only their own words.
 * 6. Only the server credits words to someone else: {@link AttributionEngine.credit} records a
 *    server transaction that restores removed words (origin `restore`, never a connection) as
 *    authored by their author, moved by the team member who restored them, with their original
 *    origins; its clientID is bound to the system participant, so no client can write with it.
 *    Participant updates never reach it: rules 1-5 alone apply to them.
 *
 * Hence conservation (rules 1-5): for every author A other than P, the characters credited to A (live,
 * plus unconsumed in recently-deleted indexes) never grow in an update of P. P may move other
 * people's words, never mint them; test/attribution/forgery.test.ts checks it on random and
 * adversarial updates.
 *
 * Honest limit of rule 2: y-prosemirror moves a paragraph across paragraphs of the same type by
 * rewriting their texts in place with a common-prefix/suffix diff. The characters that diff
 * keeps (say "We " and a final ".") stay where they are and keep the author of the paragraph
 * they were typed in, although they now read as part of the content that moved. Every other
 * character follows its words, and each author's total is unchanged by the drag.
 *
 * @example
 * // Room.load: state from storage, then listen.
 * const engine = AttributionEngine.load(storedFacts)            // snapshot + deltas, in order
 * engine.attach(room.doc, (origin) => participantOfOrigin(origin)) // null for load/server origins
 * room.doc.on('update', (update, origin, _doc, tr) => {
 *   const facts = engine.takeDelta(tr)                         // Uint8Array | null
 *   persist(update, facts)                                     // same durable write
 * })
 * // Room.receiveUpdate, after validateUpdate and before Y.applyUpdate:
 * engine.checkWrite(conn.participantId, summary.added)         // throws AttributionRefusedError
 */
import * as Y from 'yjs'
import type { SpecAttribution } from '../../shared/attribution.js'
import { ClientBindings, type AddedClocks } from './bindings.js'
import { collectTextChanges } from './collect.js'
import { decodeFacts, emptyFacts, encodeFacts, isEmptyFacts, type Facts, type IdRange, type RangeFact } from './facts.js'
import { DEFAULT_MIN_MATCH, matchText, UNMATCHED } from './match.js'
import { TextPool, type PoolSegment } from './pool.js'
import { DEFAULT_RECENT_MAX_CHARS, DEFAULT_RECENT_WINDOW_MS, RecentDeletions } from './recent.js'
import { AuthorMap, UNKNOWN } from './author-map.js'
import { movedAtOf, originsOf, recordInserted, type OriginTake } from './inserted.js'
import { undoClaims, undoHints } from './undo.js'
import { authorRuns, sliceIds, type DeletionReport, type UnmatchedRun } from './runs.js'
import { restoreFacts } from './restore-credit.js'
import { computeSpecAttribution, type ParticipantDirectory } from './blocks.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'

/** Options of {@link AttributionEngine}; every field has a default. */
export interface AttributionEngineOptions {
  /** Clock in ms (injected in tests). Default `Date.now`. */
  now?: () => number
  /** How long a deletion can be re-inserted with its attribution. Default 10 minutes. */
  recentWindowMs?: number
  /** Bound of the recently-deleted index per participant, in characters. Default 500 000. */
  recentMaxChars?: number
  /** Shortest partial match that keeps attribution (whole deleted runs match at any length). Default 6. */
  minMatch?: number
  /**
   * Who a participant id stands for now: recorded merges (server/identity/aliases.ts) fold a
   * merged-away participant into the survivor. Every id the engine takes in, from facts or from
   * a connection, goes through it, so stored facts keep naming who wrote them and still load as
   * the survivor's. Default: every id stands for itself.
   */
  resolve?: (participantId: string) => string
}

/** Maps a transaction origin to the participant who made it, or null to ignore the transaction. */
export type ParticipantOf = (origin: unknown) => string | null

/** One spec's attribution state and the rules that update it. */
export class AttributionEngine {
  private state: { bindings: ClientBindings; authors: AuthorMap; recent: RecentDeletions }
  private readonly now: () => number
  private readonly minMatch: number
  private readonly resolve: (participantId: string) => string
  private readonly deltas = new WeakMap<Y.Transaction, Uint8Array>()
  private readonly reports = new WeakMap<Y.Transaction, DeletionReport>()

  constructor(private readonly options: AttributionEngineOptions = {}) {
    this.now = options.now ?? Date.now
    this.minMatch = options.minMatch ?? DEFAULT_MIN_MATCH
    this.resolve = options.resolve ?? ((id) => id)
    this.state = this.emptyState()
  }

  /** clientID → participant (rule 1). */
  get bindings(): ClientBindings {
    return this.state.bindings
  }

  /** Who wrote, moved and first wrote every character. */
  get authors(): AuthorMap {
    return this.state.authors
  }

  /** What each participant deleted recently (rule 3's second pool). */
  get recent(): RecentDeletions {
    return this.state.recent
  }

  /**
   * Folds the engine's state through `resolve` again, after a merge was recorded: the state is
   * taken as one snapshot and loaded anew, exactly as a restart loads it, so the merged-away
   * participant's characters, moves, recent deletions and clientID bindings become the
   * survivor's in this live room at once. Provisional bindings (presence only) are dropped; the
   * next announcement makes them again. Costs the size of the facts; merges are rare.
   */
  refold(): void {
    const snapshot = this.snapshotFacts()
    this.state = this.emptyState()
    this.applyFacts(snapshot)
  }

  private emptyState(): AttributionEngine['state'] {
    const o = this.options
    return {
      bindings: new ClientBindings(),
      authors: new AuthorMap(),
      recent: new RecentDeletions(o.recentWindowMs ?? DEFAULT_RECENT_WINDOW_MS, o.recentMaxChars ?? DEFAULT_RECENT_MAX_CHARS, this.minMatch)
    }
  }

  /**
   * An engine from persisted facts: a snapshot and the deltas appended after it, in order (any
   * of them may be missing; an empty iterable gives an empty engine).
   * @throws {FactsDecodeError}
   */
  static load(facts: Iterable<Uint8Array>, options: AttributionEngineOptions = {}): AttributionEngine {
    const engine = new AttributionEngine(options)
    for (const bytes of facts) engine.applyFacts(bytes)
    return engine
  }

  /**
   * Folds a snapshot and later deltas into one snapshot (for compaction, in the same
   * transaction that replaces them).
   */
  static fold(facts: Iterable<Uint8Array>, options: AttributionEngineOptions = {}): Uint8Array {
    return AttributionEngine.load(facts, options).encode()
  }

  /**
   * Refuses an update of `participantId` whose structs add clocks to a clientID bound to another
   * participant. Call after `validateUpdate`, before applying; binds nothing.
   * @throws {AttributionRefusedError}
   */
  checkWrite(participantId: string, added: AddedClocks): void {
    this.bindings.check(this.resolve(participantId), added)
  }

  /**
   * A writer's connection of `participantId` announced `clientID` in awareness: bind it
   * provisionally, so its presence is tied to that participant. Returns false if the clientID is
   * bound to someone else (the announcement is then dropped). A provisional binding never
   * refuses anyone's write: a write with the clientID binds it to the writer for good. It is
   * not persisted and is released when the announcing connection closes.
   */
  announce(clientID: number, participantId: string): boolean {
    return this.bindings.bind(clientID, this.resolve(participantId), { provisional: true }) !== 'other'
  }

  /**
   * Listens to `doc`'s transactions and records every one whose origin maps to a participant.
   * The facts of each are kept for {@link takeDelta}, which the doc's `update` listener calls
   * (Yjs emits `afterTransaction` before `update`, in the same synchronous cleanup).
   * Returns a function that stops listening.
   */
  attach(doc: Y.Doc, participantOf: ParticipantOf): () => void {
    const listener = (tr: Y.Transaction): void => {
      const participantId = participantOf(tr.origin)
      if (participantId === null) return
      const facts = this.record(tr, participantId)
      if (!isEmptyFacts(facts)) this.deltas.set(tr, encodeFacts(facts))
    }
    doc.on('afterTransaction', listener)
    return () => doc.off('afterTransaction', listener)
  }

  /** The encoded facts that transaction `tr` added (once; null if it added none). */
  takeDelta(tr: Y.Transaction): Uint8Array | null {
    const delta = this.deltas.get(tr) ?? null
    this.deltas.delete(tr)
    return delta
  }

  /**
   * Rule 5's report of `tr` (null if it deleted none of other people's words and re-used
   * nothing), once. Read it in an `afterTransaction` listener added after {@link attach}.
   */
  takeDeletions(tr: Y.Transaction): DeletionReport | null {
    const report = this.reports.get(tr) ?? null
    this.reports.delete(tr)
    return report
  }

  /**
   * Rule 6: records what server transaction `tr` inserted (one restore of removed words) as
   * written by `author`, moved by `mover`, the characters taking `origins` in order. Call in an
   * `afterTransaction` listener for that transaction only; the facts are kept for
   * {@link takeDelta} like a participant's.
   */
  credit(tr: Y.Transaction, author: string, mover: string, origins: readonly IdRange[]): void {
    const facts = restoreFacts(tr, this.authors, this.bindings, this.resolve(author), this.resolve(mover), origins, movedAtOf(this.now()))
    if (!isEmptyFacts(facts)) this.deltas.set(tr, encodeFacts(facts))
  }

  /**
   * Records what transaction `tr` of `participantId` did and returns the facts it added. Must run
   * inside an `afterTransaction` listener (before Yjs GCs deleted content); {@link attach} does.
   */
  record(tr: Y.Transaction, participantOfTr: string): Facts {
    const participantId = this.resolve(participantOfTr)
    const facts = emptyFacts()
    const me = this.authors.refOf(participantId)
    const now = this.now()
    for (const [client, after] of tr.afterState) {
      if (after <= (tr.beforeState.get(client) ?? 0)) continue
      // 'other' only if the caller skipped checkWrite; the text is still attributed to `me`.
      if (this.bindings.bind(client, participantId) === 'new') facts.bindings.push({ clientID: client, participantId })
    }
    const { inserted, deleted } = collectTextChanges(tr, this.authors)
    if (inserted.length === 0 && deleted.length === 0) return facts
    const texts = inserted.map((run) => run.text)
    const assigned = inserted.map((run) => new Int32Array(run.text.length).fill(UNMATCHED))
    const pool = TextPool.of(
      deleted.map((run): DeletedSegment => ({ text: run.text, authors: run.authors, consumed: new Uint8Array(run.text.length), ids: run.pieces })),
      this.minMatch
    )
    // Rule 3: moved within this update, then re-inserted from what P deleted recently.
    const origins: OriginTake[] = []
    if (inserted.length > 0 && deleted.length > 0) {
      for (const t of matchText(texts, assigned, pool, { rearrange: true, claims: undoClaims(tr, inserted, this.authors) })) {
        origins.push({ ...t, ids: pool.segment(t.segment).ids })
      }
    }
    const recent = assigned.some((a) => a.includes(UNMATCHED)) ? this.recent.poolOf(me, now) : null
    if (recent !== null) {
      // Short pieces only where they were deleted (hints: undo, redo); long ones anywhere (paste).
      const hints = undoHints(inserted, (client, clock) => this.recent.locate(me, client, clock))
      for (const c of matchText(texts, assigned, recent, { hints, exact: false })) {
        const entry = recent.segment(c.segment)
        facts.consumed.push({ deleter: participantId, id: entry.id, offset: c.offset, len: c.len })
        origins.push({ ...c, ids: entry.ids })
      }
    }
    recordInserted(this.authors, inserted, assigned, originsOf(this.authors, inserted, origins), me, movedAtOf(now), facts)
    const runs = this.rememberDeleted(pool.live, me, participantId, now, facts)
    if (runs.length > 0 || facts.consumed.length > 0) this.reports.set(tr, { participantId, runs, reused: facts.consumed.length > 0 })
    return facts
  }

  /** Applies persisted facts (a snapshot or a delta). @throws {FactsDecodeError} */
  applyFacts(input: Uint8Array | Facts): void {
    const facts = input instanceof Uint8Array ? decodeFacts(input) : input
    for (const b of facts.bindings) this.bindings.bind(b.clientID, this.resolve(b.participantId))
    const ref = (id: string | null): number => (id === null ? UNKNOWN : this.authors.refOf(this.resolve(id)))
    for (const r of facts.ranges) this.authors.set(r.client, r.clock, r.len, ref(r.author), ref(r.mover), r.origin, r.movedAt ?? 0)
    for (const e of facts.recent) {
      const authors = new Int32Array(e.text.length)
      let at = 0
      for (const run of e.runs) {
        authors.fill(ref(run.author), at, at + run.len)
        at += run.len
      }
      this.recent.add(ref(e.deleter), e.time, e.text, authors, e.ids, e.id)
    }
    for (const c of facts.consumed) this.recent.consume(ref(c.deleter), c.id, c.offset, c.len)
  }

  /** Everything to persist, as one snapshot (expired recent deletions are dropped). */
  encode(): Uint8Array {
    return encodeFacts(this.snapshotFacts())
  }

  /** The snapshot as facts. */
  snapshotFacts(): Facts {
    const facts = emptyFacts()
    for (const [clientID, participantId] of this.bindings.durable()) facts.bindings.push({ clientID, participantId })
    const id = (ref: number): string | null => this.authors.idOf(ref)
    for (const r of this.authors.ranges()) {
      const fact: RangeFact = { client: r.client, clock: r.clock, len: r.len, author: id(r.author), mover: id(r.mover) }
      if (r.origin.client !== r.client || r.origin.clock !== r.clock) fact.origin = r.origin
      if (r.movedAt > 0) fact.movedAt = r.movedAt
      facts.ranges.push(fact)
    }
    for (const e of this.recent.all(this.now())) {
      const deleter = id(e.deleter)
      if (deleter === null) continue
      facts.recent.push({ deleter, id: e.id, time: e.time, text: e.text, runs: authorRuns(e.authors, id), ids: [...e.ids] })
      for (let i = 0; i < e.consumed.length; ) {
        if (e.consumed[i] !== 1) {
          i++
          continue
        }
        const start = i
        while (i < e.consumed.length && e.consumed[i] === 1) i++
        facts.consumed.push({ deleter, id: e.id, offset: start, len: i - start })
      }
    }
    return facts
  }

  /**
   * Per-block attribution of `doc`'s ProseMirror fragment (or of the given fragment), for the
   * page and `GET /api/specs/:id/attribution`.
   */
  compute(doc: Y.Doc | Y.XmlFragment, directory: ParticipantDirectory): SpecAttribution {
    const fragment = doc instanceof Y.Doc ? doc.getXmlFragment(FRAGMENT_NAME) : doc
    return computeSpecAttribution(fragment, this.authors, directory)
  }

  /** Rule 5; returns the runs remembered (also those too large to remember). */
  private rememberDeleted(pool: readonly DeletedSegment[], me: number, participantId: string, now: number, facts: Facts): UnmatchedRun[] {
    const id = (ref: number): string | null => this.authors.idOf(ref)
    const runs: UnmatchedRun[] = []
    for (const seg of pool) {
      let i = 0
      while (i < seg.text.length) {
        if (seg.consumed[i] === 1) {
          i++
          continue
        }
        const start = i
        let othersWrote = false
        while (i < seg.text.length && seg.consumed[i] !== 1) {
          if (seg.authors[i] !== me) othersWrote = true
          i++
        }
        // Text P wrote stays P's wherever P puts it again: nothing to remember.
        if (!othersWrote) continue
        const authors = Int32Array.from({ length: i - start }, (_, k) => seg.authors[start + k]!)
        const ids = sliceIds(seg.ids, start, i)
        const text = seg.text.slice(start, i)
        runs.push({ text, authors, ids })
        const entry = this.recent.add(me, now, text, authors, ids)
        if (entry !== null) {
          facts.recent.push({ deleter: participantId, id: entry.id, time: now, text: entry.text, runs: authorRuns(authors, id), ids })
        }
      }
    }
    return runs
  }
}

/** A deleted run in this update's pool, with the ids of its characters. */
interface DeletedSegment extends PoolSegment {
  readonly ids: readonly IdRange[]
}
