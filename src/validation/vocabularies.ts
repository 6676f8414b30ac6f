/**
 * The E-ARK CSIP controlled vocabularies the rules check values against (E-ARK-CSIP schema/ vocabularies, the
 * terms of each VocabularyXxx list), the METS checksum types, and the profile URLs.
 */

/** VocabularyContentCategory: values of mets/@TYPE (CSIP2). The en dash in some terms is part of the term. */
export const CONTENT_CATEGORIES: ReadonlySet<string> = new Set([
  'Textual works – Print',
  'Textual works – Digital',
  'Textual works – Electronic Serials',
  'Digital Musical Composition (score-based representations)',
  'Musical Scores - Print',
  'Musical Scores - Digital',
  'Photographs – Print',
  'Photographs – Digital',
  'Other Graphic Images – Print',
  'Other Graphic Images – Digital',
  'Microforms',
  'Audio – On Tangible Medium (digital or analog)',
  'Audio – Media-independent (digital)',
  'Motion Pictures – Digital and Physical Media',
  'Video – File-based and Physical Media',
  'Software',
  'Software and Video Games',
  'Email',
  'Datasets',
  'Geospatial Data',
  'Geographic Information System (GIS) - Vector Data',
  'GIS Raster and Georeferenced Images',
  'GIS Vector and Raster Combined',
  'Non-GIS Cartographic',
  '2D and 3D Computer Aided Design',
  'Design (schematics, architectural drawings) - Print',
  'Scanned 3D Objects (output from photogrammetry scanning)',
  'Databases',
  'Websites',
  'Web Archives',
  'Collection',
  'Event',
  'Image',
  'Interactive resource',
  'Moving image',
  'Sound',
  'Still image',
  'Text',
  'Physical object',
  'Service',
  'Mixed',
  'Other',
]);

/** VocabularyContentInformationType: values of @csip:CONTENTINFORMATIONTYPE (CSIP4, CSIP62). */
export const CONTENT_INFORMATION_TYPES: ReadonlySet<string> = new Set([
  'ERMS',
  'SIARD1',
  'SIARD2',
  'SIARDDK',
  'GeoData',
  'citscarchival_v1_0',
  'cscarchival_v1_0',
  'citserms_v2_1',
  'citserms_v3_0',
  'citspremis_v1_0',
  'cspremis_v1_0',
  'citsehpj_v1_0',
  'citsehpj_v2_0',
  'citsehcr_v1_0',
  'citssiard_v1_0',
  'citsgeospatial_v3_0',
  'cits3dpm_v1_0',
  'MIXED',
  'OTHER',
]);

/** VocabularyOAISPackageType: values of metsHdr/@csip:OAISPACKAGETYPE (CSIP9). */
export const OAIS_PACKAGE_TYPES: ReadonlySet<string> = new Set(['SIP', 'AIP', 'DIP', 'AIU', 'AIC']);

/** VocabularyStatus: values of @STATUS of metadata sections (CSIP20, CSIP34, CSIP47). */
export const STATUS_VALUES: ReadonlySet<string> = new Set(['CURRENT', 'SUPERSEDED']);

/** METS CHECKSUMTYPE values that node:crypto computes, and its algorithm names. */
export const CHECKSUM_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

/** mets/@PROFILE of an E-ARK SIP: the 2.x profile URL, with or without a version in the file name (SIP2). */
export const SIP_PROFILE_URL = /^https:\/\/earksip\.dilcis\.eu\/profile\/E-ARK-SIP(-v\d+-\d+-\d+)?\.xml$/;
