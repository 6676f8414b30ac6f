/**
 * The bagit-python rows: `make` of a bag in place (`--sha256 --processes N`) over a hard-linked copy of the corpus
 * (so the corpus itself is never moved), then `--validate --processes N` of that bag: another tool's cost of
 * checking the same content. bagit-python is found as `bagit.py` on PATH, as an importable `bagit` module
 * (`BENCH_BAGIT_PYTHONPATH` may point at an upstream checkout's `src/`), or installed from Debian's
 * `python3-bagit` when missing and running as root. Debian 12 has no such package: there the rows say why they
 * were not measured instead of failing the bench.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tail } from './measure.mjs';

const failed = (name, run, why) =>
  new Error(`[bench] step "${name}" failed (${why}, exit ${run.status}):\n${tail(run.stderrFile)}`);

/** The argv prefix that runs bagit-python, or a reason why there is none. */
export function findBagit(log) {
  const env = bagitEnv();
  const onPath = spawnSync('sh', ['-c', 'command -v bagit.py'], { encoding: 'utf8' });
  if (onPath.status === 0) return { argv: [onPath.stdout.trim()], env };
  const module = ['python3', '-c', 'import bagit, sys; sys.argv[0] = "bagit.py"; bagit.main()'];
  const importable = () => spawnSync('python3', ['-c', 'import bagit'], { env }).status === 0;
  if (importable()) return { argv: module, env };
  if (process.getuid?.() === 0) {
    log('bagit-python missing: trying apt-get install python3-bagit');
    const apt = spawnSync(
      'sh',
      ['-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-bagit'],
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, stdio: 'ignore' },
    );
    if (apt.status === 0 && importable()) return { argv: module, env };
  }
  return {
    reason:
      'bagit-python not found (no bagit.py on PATH, no importable module, no Debian python3-bagit package here); ' +
      'set BENCH_BAGIT_PYTHONPATH to the src/ folder of a bagit-python checkout',
  };
}

function bagitEnv() {
  const extra = process.env.BENCH_BAGIT_PYTHONPATH;
  if (!extra) return { ...process.env };
  return { ...process.env, PYTHONPATH: [extra, process.env.PYTHONPATH].filter(Boolean).join(':') };
}

/**
 * Times bagit make and validate over a hard-linked copy of the corpus in `workDir`; both are checked (exit status,
 * "is valid"). The bag is removed afterwards.
 */
export function runBagitSteps({ bagit, runCmd, corpusDir, workDir, manifest, parallel }) {
  const bagDir = join(workDir, 'bag');
  rmSync(bagDir, { recursive: true, force: true });
  const link = spawnSync('cp', ['-al', corpusDir, bagDir]);
  if (link.status !== 0) throw new Error(`[bench] could not hard-link the corpus into ${bagDir}`);
  const processes = String(parallel);
  try {
    const make = runCmd(
      'bagit-make',
      [...bagit.argv, '--sha256', '--processes', processes, bagDir],
      workDir,
      bagit.env,
    );
    if (make.status !== 0) throw failed('bagit make', make, 'non-zero exit');
    const validate = runCmd(
      'bagit-validate',
      [...bagit.argv, '--validate', '--processes', processes, bagDir],
      workDir,
      bagit.env,
    );
    if (validate.status !== 0) throw failed('bagit validate', validate, 'the bag is not valid');
    const measured = { bytes: manifest.bytes, files: manifest.files };
    return { bagitMake: { run: make, ...measured }, bagitValidate: { run: validate, ...measured } };
  } finally {
    rmSync(bagDir, { recursive: true, force: true });
  }
}
