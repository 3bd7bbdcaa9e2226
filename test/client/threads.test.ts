/**
 * The threads client's pure rules: who sees Resolve/Reopen, the list's order, relative times,
 * when the comment command applies, which thread a position is in, and the plugin's meta.
 * (Anchors through the y-prosemirror binding need a browser: test/e2e/threads.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import { EditorState, TextSelection } from 'prosemirror-state'
import { Decoration, DecorationSet } from 'prosemirror-view'
import type { ThreadView } from '../../shared/api-threads.js'
import { schema } from '../../shared/schema.js'
import { commentCommand, openThread, setActiveThread, setThreads, threadIn, threadsKey } from '../../client/threads/commands.js'
import { threadsPlugin } from '../../client/threads/plugin.js'
import { orderThreads } from '../../client/threads/threads-list.js'
import { mayResolve } from '../../client/threads/thread-view.js'
import { ago as timeAgo } from '../../client/ui/relative-time.js'

const person = (participantId: string, role: ThreadView['createdBy']['role']) => ({ participantId, displayName: participantId, role })

const thread = (id: string, fields: Partial<ThreadView> = {}): ThreadView => ({
  id,
  specId: 's',
  contributionId: null,
  start: 'AA==',
  end: 'AA==',
  quote: id,
  text: id,
  textRemoved: false,
  status: 'open',
  createdBy: person('tom', 'team'),
  createdAt: '2026-12-02T09:00:00.000Z',
  resolvedBy: null,
  resolvedAt: null,
  comments: [],
  ...fields
})

const { nodes: n } = schema
const doc = n.doc.create(null, [n.title.create(), n.paragraph.create(null, schema.text('Offline mode')), n.paragraph.create(null, schema.text('   '))])

const stateWith = (from: number, to = from): EditorState => {
  const state = EditorState.create({ doc, plugins: [threadsPlugin({ post: async () => {}, onChange: () => {} })] })
  return state.apply(state.tr.setSelection(TextSelection.create(doc, from, to)))
}

describe('threads client', () => {
  it('shows Resolve and Reopen to the author and to roles that may resolve any thread', () => {
    const team = thread('t1')
    expect(mayResolve(team, { participantId: 'carla', role: 'customer' })).toBe(false)
    expect(mayResolve(team, { participantId: 'vera', role: 'viewer' })).toBe(false)
    expect(mayResolve(team, { participantId: 'ann', role: 'team' })).toBe(true)
    expect(mayResolve(team, { participantId: 'fay', role: 'facilitator' })).toBe(true)
    const own = thread('t2', { createdBy: person('vera', 'viewer') })
    expect(mayResolve(own, { participantId: 'vera', role: 'viewer' })).toBe(true)
  })

  it('orders open threads by their place in the text, removed text last, then resolved ones newest first', () => {
    const at: Record<string, number | null> = { a: 30, b: 5, c: null, d: 1 }
    const threads = [
      thread('a'),
      thread('r1', { status: 'resolved', resolvedAt: '2026-12-02T10:00:00.000Z' }),
      thread('b'),
      thread('c'),
      thread('d', { textRemoved: true }),
      thread('r2', { status: 'resolved', resolvedAt: '2026-12-02T11:00:00.000Z' })
    ]
    expect(orderThreads(threads, (t) => at[t.id] ?? null).map((t) => t.id)).toEqual(['b', 'a', 'c', 'd', 'r2', 'r1'])
  })

  it('says times relative to now', () => {
    const now = Date.parse('2026-12-02T12:00:00.000Z')
    expect(timeAgo('2026-12-02T11:59:50.000Z', now)).toBe('just now')
    expect(timeAgo('2026-12-02T11:55:00.000Z', now)).toBe('5 minutes ago')
    expect(timeAgo('2026-12-02T09:00:00.000Z', now)).toBe('3 hours ago')
    expect(timeAgo('not a date', now)).toBe('')
  })

  it('the comment command needs selected text, or a caret in a thread', () => {
    // "Offline mode" spans 3..15 (title 0..2, paragraph opens at 2).
    expect(commentCommand(stateWith(3, 10))).toBe(true)
    expect(commentCommand(stateWith(5))).toBe(false)
    expect(commentCommand(stateWith(17, 20))).toBe(false)
    const plain = EditorState.create({ doc, selection: TextSelection.create(doc, 3, 10) })
    expect(commentCommand(plain)).toBe(false)
  })

  it('finds the innermost thread holding a position, excluding the end of its text', () => {
    const set = DecorationSet.create(doc, [
      Decoration.inline(3, 15, { class: 'thread-anchor' }, { threadId: 'outer' }),
      Decoration.inline(5, 8, { class: 'thread-anchor' }, { threadId: 'inner' })
    ])
    expect(threadIn(set, 3)).toBe('outer')
    expect(threadIn(set, 6)).toBe('inner')
    expect(threadIn(set, 8)).toBe('outer')
    expect(threadIn(set, 15)).toBeNull()
    expect(threadIn(set, 2)).toBeNull()
  })

  it('takes threads and open requests as meta; each request is new', () => {
    let state = stateWith(3)
    const dispatch = (tr: Parameters<EditorState['apply']>[0]): void => {
      state = state.apply(tr)
    }
    setThreads([thread('t1')])(state, dispatch)
    expect(threadsKey.getState(state)?.threads.map((t) => t.id)).toEqual(['t1'])
    openThread('t1', true)(state, dispatch)
    const first = threadsKey.getState(state)?.open
    openThread('t1', true)(state, dispatch)
    const second = threadsKey.getState(state)?.open
    expect(first?.threadId).toBe('t1')
    expect(second?.seq).toBe((first?.seq ?? 0) + 1)
    expect(threadsKey.getState(state)?.activeId).toBe('t1')
  })

  it('forgets the active thread once it is resolved, but keeps one chosen while resolved', () => {
    let state = stateWith(3)
    const dispatch = (tr: Parameters<EditorState['apply']>[0]): void => {
      state = state.apply(tr)
    }
    setThreads([thread('t1')])(state, dispatch)
    setActiveThread('t1')(state, dispatch)
    setThreads([thread('t1', { status: 'resolved' })])(state, dispatch)
    expect(threadsKey.getState(state)?.activeId).toBeNull()
    setActiveThread('t1')(state, dispatch)
    setThreads([thread('t1', { status: 'resolved', comments: [] })])(state, dispatch)
    expect(threadsKey.getState(state)?.activeId).toBe('t1')
  })
})
