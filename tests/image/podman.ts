import { spawn } from 'node:child_process';
import path from 'node:path';

/** Podman's settings for this kind of machine (runc, cgroupfs, ulimits it accepts); see the file. */
export const CONTAINERS_CONF = path.resolve('container/containers.conf');

/** The image under test, built by `scripts/container-image.sh build`. */
export const IMAGE = 'localhost/bevara:test';

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Podman logs an error for every container of an image with a HEALTHCHECK when there is no systemd to run the
 * check on a timer (as here); the test runs the check itself (`podman healthcheck run`), so those lines are noise.
 */
const TIMER_NOISE =
  /^.*level=error msg="(unable to get systemd connection|Removing timer for container).*\n?/gm;

/** Runs podman to the end without blocking the test process. */
export function podman(args: string[], options: { timeoutMs?: number } = {}): Promise<PodmanResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, {
      env: { ...process.env, CONTAINERS_CONF },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout,
        stderr: stderr.replace(TIMER_NOISE, ''),
      });
    });
  });
}

export interface ContainerOptions {
  /** host path → container path; `:ro` appended for read-only mounts. */
  volumes?: Record<string, string>;
  env?: Record<string, string>;
  name?: string;
  hostname?: string;
  detach?: boolean;
  entrypoint?: string;
}

/**
 * `podman run` of the image as operators are told to run it: as its own user (1000), root filesystem read-only
 * with no tmpfs added (Docker's `--read-only` adds none either), host network (the test's Ceph RGW and
 * PostgreSQL listen on 127.0.0.1).
 */
export function runArgs(options: ContainerOptions, args: string[]): string[] {
  const out = ['run', '--network', 'host', '--read-only', '--read-only-tmpfs=false'];
  out.push(options.detach ? '--detach' : '--rm');
  if (options.name) out.push('--name', options.name);
  if (options.hostname) out.push('--hostname', options.hostname);
  if (options.entrypoint) out.push('--entrypoint', options.entrypoint);
  for (const [host, inside] of Object.entries(options.volumes ?? {}))
    out.push('--volume', `${host}:${inside}`);
  for (const [name, value] of Object.entries(options.env ?? {})) out.push('--env', `${name}=${value}`);
  return [...out, IMAGE, ...args];
}

/**
 * `scripts/container-image.sh build` of IMAGE, its progress on stderr as it goes; resolves with the summary it
 * prints (`image=… build_seconds=… size_bytes=… base=…`). Test files that build at once take turns (a lock in the
 * script): the later ones find the layers built.
 */
export function buildImage(): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/container-image.sh', 'build'], {
      env: { ...process.env, BEVARA_IMAGE: IMAGE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Object.fromEntries([...stdout.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]])))
        : reject(new Error(`scripts/container-image.sh build: exit ${code}`)),
    );
  });
}

export function runContainer(
  options: ContainerOptions,
  args: string[],
  timeoutMs?: number,
): Promise<PodmanResult> {
  return podman(runArgs(options, args), { timeoutMs });
}
