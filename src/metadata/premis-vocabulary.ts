/**
 * What every PREMIS 3.0 document bevara writes shares: the root element's attributes, the Library of Congress
 * vocabulary attributes of controlled values (id.loc.gov/vocabulary/preservation) and local identifiers.
 */
import { element, NS, type XmlAttributes, type XmlElement } from './xml.js';

/** Value of the `version` attribute on the root element. */
export const PREMIS_VERSION = '3.0';

const PREMIS_SCHEMA_LOCATION = 'http://www.loc.gov/standards/premis/v3/premis.xsd';
const LOC_PRESERVATION = 'http://id.loc.gov/vocabulary/preservation/';

/** The identifier type of bevara's own identifiers (package, file, event, agent). */
export const LOCAL_IDENTIFIER = 'local';

/** Attributes of the root `premis:premis` element. */
export function premisRootAttributes(): XmlAttributes {
  return {
    'xmlns:premis': NS.premis,
    'xmlns:xsi': NS.xsi,
    'xsi:schemaLocation': `${NS.premis} ${PREMIS_SCHEMA_LOCATION}`,
    version: PREMIS_VERSION,
  };
}

/** authority, authorityURI and (with a code) valueURI of a LoC preservation vocabulary term. */
export function locAuthority(vocabulary: string, code?: string): XmlAttributes {
  return {
    authority: vocabulary,
    authorityURI: `${LOC_PRESERVATION}${vocabulary}`,
    valueURI: code === undefined ? undefined : `${LOC_PRESERVATION}${vocabulary}/${code}`,
  };
}

/** A `<prefix>Type` / `<prefix>Value` identifier pair, e.g. objectIdentifier. */
export function premisIdentifier(
  prefix: string,
  value: string,
  attributes: XmlAttributes = {},
  type: string = LOCAL_IDENTIFIER,
): XmlElement {
  return element(attributes, { [`premis:${prefix}Type`]: type, [`premis:${prefix}Value`]: value });
}
