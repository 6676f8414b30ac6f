#!/usr/bin/env node
/**
 * Writes the case-management (CITS ERMS, FGS Ärendehantering) fixtures: records as a case-management system
 * exports them, each with its `erms.xml` beside the documents.
 *   fixtures/erms/records/<case>/          one valid case export (ERMS 2.1.2), documents from fixtures/records
 *   fixtures/erms/broken/<case>/           not well-formed XML, a schema violation, the wrong namespace
 * Deterministic: run it again and nothing changes. Usage: node scripts/make-erms-fixtures.mjs
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', 'fixtures');
const NS = 'https://DILCIS.eu/XML/ERMS';
const SOURCE = path.join(ROOT, 'records', '2024-0113 Bygglov Östra Gränd 3');
const STAMP = new Date('2024-05-03T08:00:00Z');

function ermsDocument({ namespace = NS, systemIdentifier = 'w3d3-case-88121', declaration = true } = {}) {
  const aggregationAttrs = systemIdentifier ? ` systemIdentifier="${systemIdentifier}"` : '';
  return `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}<erms xmlns="${namespace}">
  <control>
    <identification identificationType="system">Exempelby kommun, ärendehanteringssystem W3D3</identification>
    <maintenanceInformation>
      <maintenanceStatus value="new"/>
      <maintenanceAgency>
        <agencyCode type="organisationsnummer">212000-0000</agencyCode>
        <agencyName>Exempelby kommun, Byggnadsnämnden</agencyName>
      </maintenanceAgency>
      <maintenanceHistory>
        <maintenanceEvent>
          <eventType value="created"/>
          <eventDateTime>2024-05-03T08:00:00</eventDateTime>
          <agent agentType="administrator">
            <name>W3D3 arkivexport</name>
          </agent>
        </maintenanceEvent>
      </maintenanceHistory>
    </maintenanceInformation>
  </control>
  <aggregations>
    <aggregation${aggregationAttrs} aggregationType="caseFile">
      <objectId>BN 2024/0342</objectId>
      <identification identificationType="diarienummer">BN 2024/0342</identification>
      <title>Ansökan om bygglov för tillbyggnad, Storgatan 12</title>
      <dates>
        <date dateType="created">2024-03-11T09:15:00</date>
        <date dateType="closed">2024-05-02T14:00:00</date>
      </dates>
    </aggregation>
  </aggregations>
</erms>
`;
}

function writeCase(dir, erms) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'handlingar'), { recursive: true });
  for (const [from, to] of [
    ['ansökan.pdf', 'handlingar/Ansökan om bygglov.pdf'],
    ['beslut/Beslut om bygglov.pdf', 'handlingar/Beslut.pdf'],
  ]) {
    fs.copyFileSync(path.join(SOURCE, from), path.join(dir, to));
    fs.utimesSync(path.join(dir, to), STAMP, STAMP);
  }
  fs.writeFileSync(path.join(dir, 'erms.xml'), erms);
  fs.utimesSync(path.join(dir, 'erms.xml'), STAMP, STAMP);
}

writeCase(path.join(ROOT, 'erms', 'records', 'BN 2024-0342 Bygglov Storgatan 12'), ermsDocument());
const broken = path.join(ROOT, 'erms', 'broken');
writeCase(path.join(broken, 'ej-välformad'), ermsDocument().replace('</aggregations>', '</aggregation>'));
writeCase(path.join(broken, 'schemafel'), ermsDocument({ systemIdentifier: '' }));
writeCase(path.join(broken, 'fel-namnrymd'), ermsDocument({ namespace: 'https://dilcis.eu/XML/ERMS' }));
console.log(`ERMS fixtures written under ${path.join(ROOT, 'erms')}`);
