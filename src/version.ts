import { readFileSync } from 'node:fs';

/** bevara's own version, from package.json; written into every package's METS and PREMIS agent. */
export function bevaraVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const AGENT_NAME = 'bevara';
