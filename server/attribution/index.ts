/** Server-computed attribution: bindings, who wrote which words, per-block shares. Re-exports only. */
export { AttributionEngine, type AttributionEngineOptions, type ParticipantOf } from './engine.js'
export { AttributionRefusedError, ClientBindings, SYSTEM_PARTICIPANT, type AddedClocks, type AttributionRefusal } from './bindings.js'
export { AuthorMap, UNKNOWN, type AttributedRange } from './author-map.js'
export { computeSpecAttribution, type ParticipantDirectory } from './blocks.js'
export { decodeFacts, encodeFacts, FACTS_VERSION, FactsDecodeError, type Facts } from './facts.js'
export { DEFAULT_MIN_MATCH, matchText, type MatchOptions } from './match.js'
export { TextPool, type PoolSegment } from './pool.js'
export { DEFAULT_RECENT_MAX_CHARS, DEFAULT_RECENT_WINDOW_MS, RecentDeletions } from './recent.js'
