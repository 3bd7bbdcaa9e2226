/** The review UI on the editor page: side panel, review panel, "My ideas", highlight plugin. */
export { mountReview, REVIEW_TAB, type MountReviewOptions, type ReviewHandles } from './mount.js'
export { SidePanel, SHEET_QUERY, type SidePanelTab, type SidePanelTabHandle } from './side-panel.js'
export { MY_IDEAS_TAB } from './my-ideas.js'
export type { ThreadEmbed } from './thread-slots.js'
export {
  clearReviewHighlight,
  highlightContribution,
  highlightedContribution,
  reviewHighlightKey,
  reviewHighlightPlugin,
  showContribution
} from './highlight.js'
export { ReviewData, type ReviewSection, type ReviewSnapshot } from './review-data.js'
