/**
 * Fetch wrappers for a spec's review (README "HTTP API", notes in shared/api-*.ts): its
 * contributions with their decisions, recording a decision, removals and restore, the
 * customer's unread answers, and the "decisions visible to customers" setting (threads are in
 * `api/threads.ts`). Every call goes through `api/http.ts` (JSON, CSRF, {@link ApiError}).
 *
 * Rules: the server decides who sees what; these functions never filter or trust anything
 * themselves. Answers that lack the documented shape reject with `bad_response`.
 */
import type {
  ContributionsResponse,
  ContributionView,
  CreateDecisionResponse,
  DecisionEntry,
  DecisionState
} from '../../shared/api-review.js'
import type { RemovalsResponse, RemovalView, RestoreResponse } from '../../shared/api-removals.js'
import type { ThreadView } from '../../shared/api-threads.js'
import type { AnswerItem, AnswersResponse, ReviewSettingsResponse } from '../../shared/api-answers.js'
import { badResponse, field, isRecord, list, request, seg } from './http.js'

export type { AnswerItem, AnswersResponse, ContributionsResponse, ContributionView, DecisionEntry, DecisionState, RemovalView, ThreadView }

/** `GET` and `PUT /api/specs/:id/review-settings`. */
export type ReviewSettings = ReviewSettingsResponse

const specPath = (specId: string, rest: string): string => `/api/specs/${seg(specId)}/${rest}`

/** Lists a spec's contributions (team: all; a customer: their own, plus public decisions). */
export const getContributions = async (specId: string): Promise<ContributionsResponse> => {
  const body = await request('GET', specPath(specId, 'contributions'))
  list<ContributionView>(body, 'contributions')
  return body as ContributionsResponse
}

/** Records a decision on a contribution (team roles); returns the new ledger entry. */
export const decide = async (specId: string, subjectId: string, state: DecisionState, note: string | null): Promise<DecisionEntry> =>
  field<CreateDecisionResponse['decision']>(await request('POST', specPath(specId, 'decisions'), { subjectId, state, note }), 'decision')

/** Lists removals (team: all; a customer: removals of their own words). */
export const getRemovals = async (specId: string): Promise<RemovalView[]> =>
  list<RemovalsResponse['removals'][number]>(await request('GET', specPath(specId, 'removals')), 'removals')

/** Puts removed words back where they were (`spec:restore`). */
export const restoreRemoval = async (specId: string, removalId: string): Promise<RemovalView> =>
  field<RestoreResponse['removal']>(await request('POST', specPath(specId, `removals/${seg(removalId)}/restore`), {}), 'removal')

/** The answers to the caller's own contributions, with how many they have not seen. */
export const getAnswers = async (specId: string): Promise<AnswersResponse> => {
  const body = await request('GET', specPath(specId, 'answers'))
  if (!isRecord(body) || typeof body.unread !== 'number') throw badResponse()
  list<AnswerItem>(body, 'items')
  return body as unknown as AnswersResponse
}

/** Marks every answer up to `upTo` (ISO) as seen; returns how many stay unread. */
export const markAnswersSeen = async (specId: string, upTo: string): Promise<number> => {
  const body = await request('POST', specPath(specId, 'answers/seen'), { upTo })
  if (!isRecord(body) || typeof body.unread !== 'number') throw badResponse()
  return body.unread
}

const settingsOf = (body: unknown): ReviewSettings => {
  if (!isRecord(body) || typeof body.decisionsPublic !== 'boolean') throw badResponse()
  return body as unknown as ReviewSettings
}

/** Whether customers see decisions and notes on other people's contributions. */
export const getReviewSettings = async (specId: string): Promise<ReviewSettings> =>
  settingsOf(await request('GET', specPath(specId, 'review-settings')))

/** Makes decisions visible to customers, or hides them again (facilitators). */
export const putReviewSettings = async (specId: string, decisionsPublic: boolean): Promise<ReviewSettings> =>
  settingsOf(await request('PUT', specPath(specId, 'review-settings'), { decisionsPublic }))
