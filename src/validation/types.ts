/**
 * Types of the E-ARK package validator: one finding per failed requirement, in the style of the E-ARK validators
 * (requirement id, level, message, location), and the report that collects them.
 */

/** Requirement level as the E-ARK profiles state it (RFC 2119). */
export type RuleLevel = 'MUST' | 'SHOULD' | 'MAY';

/**
 * Which profile a package is checked against. 'sip' is CSIP plus the E-ARK SIP additions; 'fgs1' is FGS
 * Paketstruktur 1.x (Riksarkivet's METS profile before FGS 2.0 adopted E-ARK).
 */
export type ValidationProfile = 'csip' | 'sip' | 'fgs1';

/** Where a failed requirement was found. */
export interface FindingLocation {
  /** Path inside the package, relative to its root folder (e.g. "METS.xml", "representations/rep1/METS.xml"). */
  file: string;
  /** XPath of the offending element in `file`, e.g. "/mets:mets/mets:metsHdr". */
  xpath?: string;
  /** 1-based line in `file`, when known. */
  line?: number;
}

/** One failed requirement. */
export interface Finding {
  /**
   * Requirement id: CSIP/SIP profile ids (CSIP7, SIP4), structure ids (CSIPSTR4), and a few of ours: METS-XSD
   * (schema error), METS-XML (not well-formed), CSIP-NS (wrong CSIP/SIP namespace), and the reader's rules
   * (e.g. zip-unsafe-path) when the package itself cannot be read safely.
   */
  id: string;
  level: RuleLevel;
  message: string;
  location: FindingLocation;
}

/** The outcome of validating one package. */
export interface ValidationReport {
  /** The path that was validated, as given. */
  path: string;
  /** A ZIP archive or a folder on disk. */
  kind: 'zip' | 'folder';
  /** Name of the package root folder (the single top folder of a ZIP, or the folder's own name). */
  root: string;
  /** Profile checked against. */
  profile: ValidationProfile;
  /** Why that profile: given as an option, or chosen from what the METS says. */
  profileReason: string;
  /** True when no MUST requirement failed. */
  valid: boolean;
  /** Failed requirements per level. */
  counts: Record<RuleLevel, number>;
  findings: Finding[];
  /** Information that is not a failure (e.g. checksums of an algorithm that cannot be computed here). */
  notes: string[];
  /** What was verified against the actual bytes. */
  verified: { files: number; bytes: number };
  /** Milliseconds the validation took. */
  durationMs: number;
}
