/** The contributions contract on the in-memory store. */
import { MemoryContributionStore } from '../../server/review/contributions-memory.js'
import { contributionsContract } from './contributions.contract.js'

contributionsContract('memory', { create: async () => new MemoryContributionStore() })
