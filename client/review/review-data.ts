/**
 * The review data of the open spec, as the server last answered it: contributions (with
 * decisions and counts), threads, removals, the review settings and the reader's answers. The
 * review panel and "My ideas" render from here; live events and reconnects call
 * {@link ReviewData.refresh} with the topics that changed.
 *
 * Rules: each section is re-read as a whole over HTTP (never patched locally from an event), at
 * most one read per section at a time; a change arriving during a read triggers one more read
 * once it ends, so the last answer always reflects the last event. A failed read keeps the
 * previous list and records a message for the view to show. Listeners run after every change.
 */
import type { ReviewTopic } from '../../shared/review-events.js'
import {
  getAnswers,
  getContributions,
  getRemovals,
  getReviewSettings,
  type AnswersResponse,
  type ContributionsResponse,
  type RemovalView,
  type ReviewSettings,
  type ThreadView
} from '../api/review.js'
import { listThreads } from '../api/threads.js'
import { messageOf } from '../ui/dom.js'

/** The parts of the review that are read separately. */
export type ReviewSection = 'contributions' | 'threads' | 'removals' | 'settings' | 'answers'

/** Sections each review topic invalidates. */
const SECTIONS_OF: Record<ReviewTopic, readonly ReviewSection[]> = {
  contributions: ['contributions'],
  // A decision changes a contribution's state, closes removals and is an answer to its author.
  decisions: ['contributions', 'removals', 'answers'],
  // Thread counts show on contributions; comments are answers.
  threads: ['threads', 'contributions', 'answers'],
  // Removing or restoring words changes contributions' text too.
  removals: ['removals', 'contributions', 'answers'],
  // Public decisions change which contributions a customer gets.
  settings: ['settings', 'contributions']
}

/** What is known of each section (null: not read yet). */
export interface ReviewSnapshot {
  contributions: ContributionsResponse | null
  threads: ThreadView[] | null
  removals: RemovalView[] | null
  settings: ReviewSettings | null
  answers: AnswersResponse | null
  /** A user-facing message per section whose last read failed. */
  errors: Partial<Record<ReviewSection, string>>
}

/** Holds and re-reads one spec's review data; see the file header. */
export class ReviewData {
  /** The current data; replaced (never mutated) on every change. */
  snapshot: ReviewSnapshot = { contributions: null, threads: null, removals: null, settings: null, answers: null, errors: {} }

  private readonly listeners = new Set<() => void>()
  private readonly reading = new Set<ReviewSection>()
  private readonly again = new Set<ReviewSection>()

  /**
   * @param specId the open spec
   * @param sections the sections this reader may read (e.g. answers for customers only)
   */
  constructor(
    readonly specId: string,
    private readonly sections: readonly ReviewSection[]
  ) {}

  /** Adds a listener called after every change; returns its removal. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Reads every section. */
  loadAll(): Promise<void> {
    return this.read(this.sections)
  }

  /** Re-reads the sections the review `topics` touch. */
  refresh(topics: readonly ReviewTopic[]): Promise<void> {
    const wanted = new Set(topics.flatMap((t) => SECTIONS_OF[t]))
    return this.read(this.sections.filter((s) => wanted.has(s)))
  }

  /** Re-reads the given sections (those this reader may read). */
  read(sections: readonly ReviewSection[]): Promise<void> {
    return Promise.all(sections.filter((s) => this.sections.includes(s)).map((s) => this.readOne(s))).then(() => {})
  }

  /** Replaces the answers after the reader marked them seen (no re-read needed). */
  setUnread(unread: number): void {
    const answers = this.snapshot.answers
    if (!answers) return
    const items = unread === 0 ? answers.items.map((i) => (i.unread ? { ...i, unread: false } : i)) : answers.items
    this.update({ answers: { ...answers, unread, items } })
  }

  private async readOne(section: ReviewSection): Promise<void> {
    if (this.reading.has(section)) {
      this.again.add(section)
      return
    }
    this.reading.add(section)
    try {
      do {
        this.again.delete(section)
        await this.fetch(section)
      } while (this.again.has(section))
    } finally {
      this.reading.delete(section)
    }
  }

  private async fetch(section: ReviewSection): Promise<void> {
    const { specId } = this
    try {
      switch (section) {
        case 'contributions':
          return this.update({ contributions: await getContributions(specId) }, section)
        case 'threads':
          return this.update({ threads: await listThreads(specId) }, section)
        case 'removals':
          return this.update({ removals: await getRemovals(specId) }, section)
        case 'settings':
          return this.update({ settings: await getReviewSettings(specId) }, section)
        case 'answers':
          return this.update({ answers: await getAnswers(specId) }, section)
      }
    } catch (error) {
      this.update({}, section, messageOf(error, `Could not load the ${section}.`))
    }
  }

  private update(change: Partial<ReviewSnapshot>, section?: ReviewSection, error?: string): void {
    const errors = { ...this.snapshot.errors }
    if (section !== undefined) {
      if (error === undefined) delete errors[section]
      else errors[section] = error
    }
    this.snapshot = { ...this.snapshot, ...change, errors }
    for (const listener of this.listeners) listener()
  }
}
