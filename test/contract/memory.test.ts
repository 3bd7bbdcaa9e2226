import { MemoryIdentityStore } from '../../server/identity/memory.js'
import { identityContract } from './identity.contract.js'
import { createMemoryStorage } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { storageContract } from './storage.contract.js'

storageContract('memory', { create: async () => createMemoryStorage({ foldFacts: AttributionEngine.fold }) })

identityContract('memory', { create: async () => new MemoryIdentityStore() })
