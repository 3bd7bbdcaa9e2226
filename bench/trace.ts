/**
 * The automerge-paper editing trace (see /work/shared/traces/README.md), replayed into a Y.Text
 * the way a typing client would produce it: one Yjs update per trace transaction.
 */
import fs from 'node:fs'
import zlib from 'node:zlib'
import * as Y from 'yjs'

/** A trace patch: delete `del` characters at `pos`, then insert `ins` there. */
export type Patch = [pos: number, del: number, ins: string]

/** The trace file's content. */
export interface Trace {
  startContent: string
  endContent: string
  txns: Array<{ patches: Patch[] }>
}

/** Name of the root Y.Text the trace is replayed into. */
export const TRACE_TEXT = 'trace'

/** Reads a gzip-compressed JSON trace. */
export function readTrace(file: string): Trace {
  const trace = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as Trace
  if (typeof trace.endContent !== 'string' || !Array.isArray(trace.txns)) {
    throw new Error(`${file} is not an editing trace`)
  }
  return trace
}

/** The replayed trace: the updates in order and the patch count. */
export interface Replay {
  updates: Uint8Array[]
  patches: number
  ms: number
}

/**
 * Replays every patch into `Y.Text` {@link TRACE_TEXT} of one Y.Doc, one transaction per trace
 * transaction, capturing each transaction's update.
 * @throws Error if the final text differs from `endContent`.
 */
export function replayTrace(trace: Trace): Replay {
  const t0 = performance.now()
  const doc = new Y.Doc()
  const text = doc.getText(TRACE_TEXT)
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  if (trace.startContent) text.insert(0, trace.startContent)
  let patches = 0
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins) text.insert(pos, ins)
        patches++
      }
    })
  }
  const final = text.toString()
  doc.destroy()
  if (final !== trace.endContent) {
    throw new Error(`trace replay diverged: ${final.length} chars, expected ${trace.endContent.length}`)
  }
  return { updates, patches, ms: performance.now() - t0 }
}
