/** Threads in the browser: comments anchored to text, live, with replies, resolve and reopen. */
export { Announcer, ANNOUNCER_ID } from './announcer.js'
export { anchorsOf, resolveAnchors, type Anchors, type Range } from './anchors.js'
export {
  cancelDraft,
  COMMENT_SHORTCUT,
  commentCommand,
  openThread,
  setActiveThread,
  setThreads,
  threadAt,
  threadsKey,
  threadsState,
  type Draft,
  type ThreadsState
} from './commands.js'
export { LiveThreads, type ThreadsHost, type ThreadsPerson } from './live-threads.js'
export { threadsTab, THREADS_TAB, type TabbedPanel } from './side-panel-tab.js'
export { threadsPlugin, type ThreadsPluginOptions } from './plugin.js'
export { ThreadActions, type ThreadAction, type ThreadActionsOptions } from './thread-actions.js'
export { mayResolve, renderThread, type ThreadContext, type ThreadUiStatus } from './thread-view.js'
export { orderThreads, renderThreadsList, type ThreadFilter } from './threads-list.js'
