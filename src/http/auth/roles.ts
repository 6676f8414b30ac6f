/** What each role of the console may do. Every route names one permission (or is public); roles grant them. */
import type { UserRole } from '../../catalog/types.js';
import type { Permission } from '../server.js';

export const ROLE_PERMISSIONS: Readonly<Record<UserRole, readonly Permission[]>> = {
  /** Sees everything; downloads what is not restricted. */
  reader: ['read', 'download'],
  /** Jobs, runs, quarantine; downloads restricted records too (each one logged). */
  archivist: ['read', 'download', 'restricted', 'jobs'],
  /** Audits, orphans, locations. */
  operations: ['read', 'download', 'audits'],
  admin: ['read', 'download', 'restricted', 'jobs', 'audits', 'users'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.includes(permission) ?? false;
}
