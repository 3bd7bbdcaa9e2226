/**
 * Keyboard shortcuts of the spec editor. Undo and redo go through y-prosemirror's UndoManager,
 * which only tracks this client's own changes, so a person never undoes someone else's edit.
 */
import { baseKeymap, chainCommands, exitCode } from 'prosemirror-commands'
import { undoInputRule } from 'prosemirror-inputrules'
import { keymap } from 'prosemirror-keymap'
import { splitListItem } from 'prosemirror-schema-list'
import type { Command, Plugin } from 'prosemirror-state'
import { redoCommand, undoCommand } from 'y-prosemirror'
import { schema } from '../../shared/schema.js'
import {
  indentListItem,
  insertHardBreak,
  outdentListItem,
  setHeading,
  setParagraph,
  toggleBulletList,
  toggleEm,
  toggleOrderedList,
  toggleStrong
} from './commands.js'

/** y-prosemirror's undo/redo as typed ProseMirror commands. */
export const undo: Command = (state, dispatch) => !!undoCommand(state, dispatch)
/** Redoes this client's last undone change. */
export const redo: Command = (state, dispatch) => !!redoCommand(state, dispatch)

/** The spec editor's keymaps, most specific first; `link` runs on Mod-k. */
export const specKeymaps = (link: Command): Plugin[] => {
  const keys: Record<string, Command> = {
    'Mod-z': undo,
    'Shift-Mod-z': redo,
    'Mod-y': redo,
    Backspace: undoInputRule,
    'Mod-b': toggleStrong,
    'Mod-B': toggleStrong,
    'Mod-i': toggleEm,
    'Mod-I': toggleEm,
    'Mod-k': link,
    Enter: splitListItem(schema.nodes.list_item),
    Tab: indentListItem,
    'Shift-Tab': outdentListItem,
    'Shift-Mod-7': toggleOrderedList,
    'Shift-Mod-8': toggleBulletList,
    'Mod-Alt-0': setParagraph,
    'Shift-Enter': chainCommands(exitCode, insertHardBreak),
    'Mod-Enter': chainCommands(exitCode, insertHardBreak)
  }
  for (const level of [1, 2, 3]) keys[`Mod-Alt-${level}`] = setHeading(level)
  return [keymap(keys), keymap(baseKeymap)]
}
