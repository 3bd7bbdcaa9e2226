/** The removals contract on the in-memory store. */
import { MemoryRemovalStore } from '../../server/review/removals-memory.js'
import { removalsContract } from './removals.contract.js'

removalsContract('memory', { create: async () => new MemoryRemovalStore() })
