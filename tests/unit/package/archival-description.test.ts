import { describe, expect, it } from 'vitest';
import { buildRootMets } from '../../../src/metadata/mets.js';
import { createXmlValidator } from '../../../src/metadata/xml-validator.js';
import type { DescriptiveMetadata } from '../../../src/model/package.js';
import { sameDescription, withArchivalDescription } from '../../../src/package/archival-description.js';
import { buildParts, municipalCase } from '../metadata/municipal-case.js';

const header = {
  archivalCreator: {
    name: 'Kommunstyrelsen i Exempelby',
    identificationCode: '212000-0000',
    referenceCode: 'SE/EXK/KS',
  },
};
const record: DescriptiveMetadata = { title: 'Bygglov', classification: '3.1.2' };

describe('archival description (arkivbildare and klassificeringsstruktur)', () => {
  it("takes the record's archive creator, else the config's", () => {
    expect(withArchivalDescription(record, header).archiveCreator).toEqual(header.archivalCreator);
    const own = { ...record, archiveCreator: { name: 'Byggnadsnämnden', referenceCode: 'SE/EXK/BN' } };
    expect(withArchivalDescription(own, header)).toBe(own);
    expect(withArchivalDescription(record, undefined)).toBe(record);
  });

  it('does not take a package catalogued before archive creators for a changed record', () => {
    expect(sameDescription(record, record, header)).toBe(true);
    expect(sameDescription(withArchivalDescription(record, header), record, header)).toBe(true);
    expect(sameDescription({ ...record, classification: '3.1.3' }, record, header)).toBe(false);
  });

  it('writes the archive creator as the ARCHIVIST agent and the reference code of the content, XSD-valid', async () => {
    const desc = municipalCase({
      packageType: 'SIP',
      descriptive: withArchivalDescription(
        {
          title: 'Bygglov',
          classification: '3.1.2',
          archiveCreator: { name: 'Byggnadsnämnden', referenceCode: 'SE/EXK/BN' },
        },
        header,
      ),
    });
    const mets = buildRootMets(desc, buildParts(desc).refs);
    expect(mets).toMatch(
      /<agent ROLE="ARCHIVIST" TYPE="ORGANIZATION">\s*<name>Byggnadsnämnden<\/name>\s*<note csip:NOTETYPE="IDENTIFICATIONCODE">SE\/EXK\/BN<\/note>\s*<\/agent>/,
    );
    expect(mets).toContain('<altRecordID TYPE="REFERENCECODE">SE/EXK/BN/3.1.2</altRecordID>');
    const validator = createXmlValidator();
    expect(await validator.validate(mets, 'mets-sip', 'METS.xml')).toEqual({ valid: true, problems: [] });
  });
});
