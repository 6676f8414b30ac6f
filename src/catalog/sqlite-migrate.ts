import type { Database } from 'better-sqlite3';
import { errorMessage } from '../errors.js';
import { CatalogError } from './errors.js';
import { latestSchemaVersion, type Migration, SCHEMA_MIGRATIONS_TABLE } from './migrations.js';

function currentVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new CatalogError(
        `[catalog:sqlite] migration "${m.name}" has version ${m.version}, expected ${i + 1}: versions must start at 1 without gaps`,
        { unrecoverable: true },
      );
    }
  });
}

function refuseNewer(db: Database, label: string, latest: number): number {
  const current = currentVersion(db);
  if (current > latest) {
    throw new CatalogError(
      `[catalog:sqlite] database "${label}" has schema version ${current}, newer than the ${latest} this version of bevara knows: upgrade bevara before using this catalog`,
      { unrecoverable: true },
    );
  }
  return current;
}

/**
 * Applies the pending `migrations` to `db` in order, each in its own IMMEDIATE transaction together with its
 * `schema_migrations` row, so a failed migration leaves the previous version intact and two processes
 * migrating the same file at once apply each step once (the second waits on the write lock, then sees the
 * step recorded). Refuses a database whose recorded version is newer than the last migration known.
 *
 * @param label the database path, used in error messages.
 * @returns the versions applied by this call, in order (empty when already up to date).
 */
export function migrateSqlite(
  db: Database,
  migrations: readonly Migration[],
  now: () => Date,
  label: string,
): number[] {
  checkOrder(migrations);
  const latest = latestSchemaVersion(migrations);
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= refuseNewer(db, label, latest)) continue;
    const step = db.transaction(() => {
      if (migration.version <= refuseNewer(db, label, latest)) return;
      try {
        db.exec(migration.up);
      } catch (err) {
        throw new CatalogError(
          `[catalog:sqlite] migration ${migration.version} "${migration.name}" failed on "${label}": ${errorMessage(err)}`,
          { cause: err, unrecoverable: true },
        );
      }
      record.run(migration.version, migration.name, now().toISOString());
      applied.push(migration.version);
    });
    step.immediate();
  }
  return applied;
}
