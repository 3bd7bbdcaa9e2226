/**
 * A crowd of real providers typing into one spec at once, for the process-fault tests. Every
 * edit appends one numbered token (`[round.client.seq]`) to the spec's first paragraph, as
 * typing at the end of a paragraph does (one insert into its Y.XmlText, as y-prosemirror
 * writes it). Appends never split another token, so a token is in the document whole or not at
 * all, and each client's tokens must be stored as a prefix of what it typed.
 *
 * For every edit the crowd records the update-bearing frame that carried it on which
 * connection, so "acknowledged" is exact: the server acked that frame on that connection.
 */
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import * as decoding from 'lib0/decoding'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually, sleep } from '../helpers/eventually.js'
import { editPm } from '../helpers/pm-edit.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { messageAck, messageAttribution } from '../../shared/protocol.js'

/** One edit as the crowd made it. */
export interface Edit {
  token: string
  client: number
  seq: number
  /** Connection (per client, counted from 0) whose frame carried the edit, or null if it was made offline. */
  conn: number | null
  /** Index of that update-bearing frame on its connection (1-based, what acks count). */
  frame: number | null
}

/** A member of the crowd. */
interface Member {
  index: number
  client: TestClient
  /** Connections opened so far; the current one is `opened - 1`. */
  opened: number
  /** The last ack count received on each connection, by connection index. */
  acks: Map<number, number>
  edits: Edit[]
}

const TOKEN = /\[(\d+)\.(\d+)\.(\d+)\]/g

/** The paragraph text tokens go to: the first paragraph's Y.XmlText, once it exists. */
function target(doc: Y.Doc): Y.XmlText | null {
  const paragraph = doc.getXmlFragment(FRAGMENT_NAME).toArray().find((n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph') as
    | Y.XmlElement
    | undefined
  const text = paragraph?.get(0)
  return text instanceof Y.XmlText ? text : null
}

/** The tokens in a document's first paragraph, in document order. */
export function tokensIn(doc: Y.Doc): string[] {
  return [...(target(doc)?.toString() ?? '').matchAll(TOKEN)].map((m) => m[0])
}

/** Parses a token. */
export function parseToken(token: string): { round: number; client: number; seq: number } {
  const [, round, client, seq] = /\[(\d+)\.(\d+)\.(\d+)\]/.exec(token)!
  return { round: Number(round), client: Number(client), seq: Number(seq) }
}

/**
 * Checks stored tokens against what the crowd typed: no duplicates, only typed tokens, and
 * each client's tokens a prefix of its sequence (an update is never stored without the ones it
 * builds on). Returns the problems found (empty when sound).
 */
export function soundness(stored: readonly string[], typed: readonly Edit[]): string[] {
  const problems: string[] = []
  const typedSet = new Set(typed.map((e) => e.token))
  const seen = new Set<string>()
  const seqs = new Map<string, number[]>()
  for (const token of stored) {
    if (seen.has(token)) problems.push(`duplicate ${token}`)
    seen.add(token)
    if (!typedSet.has(token)) problems.push(`never typed ${token}`)
    const { round, client, seq } = parseToken(token)
    const key = `${round}.${client}`
    seqs.set(key, [...(seqs.get(key) ?? []), seq])
  }
  for (const [key, list] of seqs) {
    const sorted = [...list].sort((a, b) => a - b)
    if (sorted.some((s, i) => s !== i)) problems.push(`client ${key} stored a non-prefix: ${sorted.slice(0, 20).join(',')}…`)
  }
  return problems
}

/** A crowd of `count` providers on `url`/`spec`; `tokens[i]` is client i's WebSocket token. */
export class Crowd {
  private stopped = false

  private constructor(
    readonly round: number,
    readonly members: Member[]
  ) {}

  /** Connects every client, waits for them to sync, and makes sure the paragraph has text. */
  static async connect(url: string, spec: string, tokens: string[], round: number): Promise<Crowd> {
    const members = tokens.map((token, index): Member => {
      const client = connectClient(url, spec, { token })
      const member: Member = { index, client, opened: 0, acks: new Map(), edits: [] }
      // Attribution messages are for editors; a Node client has nothing to show them on.
      client.provider.messageHandlers[messageAttribution] = () => {}
      client.provider.on('status', ({ status }) => {
        if (status === 'connected') member.opened++
      })
      // Ack counts per connection, read before the save wiring consumes them (the tracker resets
      // its own counters when a socket closes).
      const onAck = client.provider.messageHandlers[messageAck]!
      client.provider.messageHandlers[messageAck] = (encoder, decoder, provider, emitSynced, type) => {
        member.acks.set(member.opened - 1, decoding.peekVarUint(decoder))
        onAck(encoder, decoder, provider, emitSynced, type)
      }
      return member
    })
    await Promise.all(members.map((m) => synced(m.client, 30_000)))
    const first = members[0]!.client.doc
    if (target(first) === null) {
      editPm(first, (tr) => {
        let at = -1
        tr.doc.descendants((node, pos) => {
          if (at < 0 && node.type.name === 'paragraph') at = pos + 1
          return at < 0
        })
        tr.insert(at, schema.text('Typed: '))
      })
    }
    await eventually(() => {
      for (const m of members) if (target(m.client.doc) === null) throw new Error(`client ${m.index} has no paragraph text yet`)
    }, 30_000)
    return new Crowd(round, members)
  }

  /** Every edit made so far. */
  get edits(): Edit[] {
    return this.members.flatMap((m) => m.edits)
  }

  /** Edits whose frame the server acknowledged on the connection that carried it. */
  get acked(): Edit[] {
    return this.members.flatMap((m) =>
      m.edits.filter((e) => {
        if (e.conn === null || e.frame === null) return false
        return e.frame <= (m.acks.get(e.conn) ?? 0)
      })
    )
  }

  /** Edits sent on a connection (acknowledged or not). */
  get sentLive(): Edit[] {
    return this.edits.filter((e) => e.frame !== null)
  }

  /**
   * Every client types `perClient` tokens, pausing a seeded 0..`2 x meanGapMs` between two;
   * resolves when all are done or {@link stop} was called.
   */
  async type(gen: prng.PRNG, perClient: number, meanGapMs: number): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        const mine = prng.create(prng.uint32(gen, 0, 2 ** 31))
        for (let seq = m.edits.length; seq < perClient && !this.stopped; seq++) {
          this.typeOne(m, seq)
          // Pacing the load, not waiting for a result.
          await sleep(prng.uint32(mine, 0, 2 * meanGapMs))
        }
      })
    )
  }

  /** Stops {@link type} after the edits in progress. */
  stop(): void {
    this.stopped = true
  }

  /** Resolves once every client is connected, synced and saved. */
  async allSaved(timeoutMs: number): Promise<void> {
    await eventually(() => {
      for (const m of this.members) {
        const s = m.client.tracker.current
        if (s.status !== 'saved') throw new Error(`client ${m.index} is ${s.status} (sent ${s.sent}, acked ${s.acked}, closes ${JSON.stringify(m.client.closes.slice(-3))})`)
      }
    }, timeoutMs, 50)
  }

  destroy(): void {
    for (const m of this.members) m.client.destroy()
  }

  private typeOne(m: Member, seq: number): void {
    const token = `[${this.round}.${m.index}.${seq}]`
    const text = target(m.client.doc)!
    const before = m.client.tracker.current.sent
    const live = m.client.provider.wsconnected
    text.insert(text.length, token)
    const after = m.client.tracker.current.sent
    // The provider sent the update at once exactly when the tracker counted one more frame.
    const sent = live && after === before + 1
    m.edits.push({ token, client: m.index, seq, conn: sent ? m.opened - 1 : null, frame: sent ? after : null })
  }
}
