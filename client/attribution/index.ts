/** Server-computed attribution in the editor: plugin, commands, message receiver, bar. */
export { attributionPlugin, type AttributionPluginOptions } from './plugin.js'
export {
  attributionKey,
  attributionState,
  focusMarker,
  MARKER_SHORTCUT,
  setAttribution,
  setCustomerOnly,
  setHighlightMode,
  type AttributionState
} from './commands.js'
export { BAR_IDS, savedDisplayOptions } from './bar.js'
export type { BlockWindow, DecorationOptions, HighlightMode } from './decorations.js'
export { parseAttribution } from './parse.js'
export { receiveAttribution } from './receive.js'
export { POPOVER_ID } from './popover.js'
export { PROVISIONAL_CLASS, PROVISIONAL_TEXT, provisionalPlugin, setProvisional } from './provisional.js'
