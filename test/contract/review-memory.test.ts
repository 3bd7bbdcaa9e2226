import { MemoryReviewStore } from '../../server/review/memory.js'
import { reviewContract } from './review.contract.js'

reviewContract('memory', { create: async () => new MemoryReviewStore() })
