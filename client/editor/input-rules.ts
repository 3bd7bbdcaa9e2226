/**
 * Markdown-like shortcuts typed at the start of a block: `# `…`### ` headings, `- ` / `* `
 * bullet lists, `1. ` numbered lists, `> ` quotes and three backticks for a code block, plus
 * typographic quotes, ellipsis and em dash.
 */
import {
  ellipsis,
  emDash,
  inputRules,
  smartQuotes,
  textblockTypeInputRule,
  wrappingInputRule
} from 'prosemirror-inputrules'
import type { Plugin } from 'prosemirror-state'
import { schema } from '../../shared/schema.js'

const { nodes } = schema

/** The input-rules plugin of the spec editor. */
export const specInputRules = (): Plugin =>
  inputRules({
    rules: [
      ...smartQuotes,
      ellipsis,
      emDash,
      textblockTypeInputRule(/^(#{1,3})\s$/, nodes.heading, (match) => ({
        level: match[1]?.length ?? 1
      })),
      wrappingInputRule(/^\s*([-+*])\s$/, nodes.bullet_list),
      wrappingInputRule(
        /^(\d+)\.\s$/,
        nodes.ordered_list,
        (match) => ({ order: Number(match[1]) }),
        (match, node) => node.childCount + (node.attrs.order as number) === Number(match[1])
      ),
      wrappingInputRule(/^\s*>\s$/, nodes.blockquote),
      textblockTypeInputRule(/^```$/, nodes.code_block)
    ]
  })
