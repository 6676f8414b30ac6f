import { ValidationError } from '../errors.js';

/**
 * A stored object that cannot be read back into the catalog, or a catalog a rebuild may not write into: `rule`
 * names what is wrong (e.g. `premis-file`, `mets-unreadable`, `catalog-not-empty`) and the message names the
 * location, key and entry. A usage error for the CLI (exit 2).
 */
export class RebuildError extends ValidationError {
  constructor(rule: string, message: string, options?: { cause?: unknown }) {
    super(rule, `[rebuild] ${message}`, {}, options);
  }
}
