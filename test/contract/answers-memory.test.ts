/** The answers contract on the in-memory store. */
import { MemoryAnswersStore } from '../../server/review/answers-memory.js'
import { answersContract } from './answers.contract.js'

answersContract('memory', { create: async () => new MemoryAnswersStore() })
