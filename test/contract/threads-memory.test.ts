/** The threads contract on the in-memory store. */
import { MemoryThreadStore } from '../../server/review/threads-memory.js'
import { threadsContract } from './threads.contract.js'

threadsContract('memory', { create: async (limits) => new MemoryThreadStore(limits) })
