import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';

const VENDORED = path.resolve(import.meta.dirname, '..', 'tools', 'bagit.py');

/**
 * Runs the Library of Congress BagIt validator, independent of bevara: `bagit.py` when the machine has it (Debian's
 * python3-bagit where apt offers it), else the copy vendored in tests/tools (public domain) under python3, which
 * scripts/test-setup.sh installs when missing.
 */
export function bagitPy(args: string[]): SpawnSyncReturns<string> {
  const installed = spawnSync('bagit.py', ['--version'], { encoding: 'utf8' });
  if (!installed.error && installed.status === 0) return spawnSync('bagit.py', args, { encoding: 'utf8' });
  return spawnSync('python3', [VENDORED, ...args], { encoding: 'utf8' });
}
