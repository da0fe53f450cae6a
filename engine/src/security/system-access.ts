// What the system may do when it acts without a person (scheduled actions, plugin jobs): every row, every field, as
// an administrator, with validation and rules as always. It holds no role, so a transition that names roles stays
// closed to it: metadata that wants the system to take one says so by not restricting it.
import { UNRESTRICTED_SCOPE } from '../query/record-scope.js';
import type { Access } from './access.js';
import type { Actor } from './actor.js';

export const SYSTEM_ACTOR: Actor = { id: null, username: 'tessera schedule', orgUnitId: null, isSystem: true };

export const SYSTEM_ACCESS: Access = {
  readScope: UNRESTRICTED_SCOPE,
  scopeFor: () => UNRESTRICTED_SCOPE,
  can: () => true,
  field: () => 'write',
  isAdmin: true,
  roleCodes: new Set(),
};
