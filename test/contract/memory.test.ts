import { MemoryIdentityStore } from '../../server/identity/memory.js'
import { identityContract } from './identity.contract.js'
import { createMemoryStorage } from '../../server/storage/memory.js'
import { storageContract } from './storage.contract.js'

storageContract('memory', { create: async () => createMemoryStorage() })

identityContract('memory', { create: async () => new MemoryIdentityStore() })
