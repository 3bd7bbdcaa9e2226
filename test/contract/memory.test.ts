import { createMemoryStorage } from '../../server/storage/memory.js'
import { storageContract } from './storage.contract.js'

storageContract('memory', { create: async () => createMemoryStorage() })
