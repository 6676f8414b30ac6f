import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createErmsSchematron } from '../../../src/metadata/erms-schematron.js';
import { compileSchematron } from '../../../src/metadata/schematron.js';

const FIXTURE = path.resolve('fixtures/erms/records/BN 2024-0342 Bygglov Storgatan 12/erms.xml');
const valid = fs.readFileSync(FIXTURE, 'utf8');
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('ERMS Schematron (DILCIS erms.sch and erms-bevara.sch, evaluated by fontoxpath)', () => {
  const schematron = createErmsSchematron();

  it('passes the valid fixture export', async () => {
    expect(await schematron.check(valid)).toEqual([]);
  });

  it('fails erms.sch co-occurrence: own_aggregation_definition without otherAggregationType, at its line', async () => {
    const broken = valid.replace(
      'aggregationType="caseFile"',
      'aggregationType="own_aggregation_definition"',
    );
    const findings = await schematron.check(broken);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: "co-occurrence-constraints: *[@aggregationType = 'own_aggregation_definition']",
      schema: 'erms.sch',
      role: 'error',
      line: lineOf(broken, '<aggregation '),
    });
    expect(findings[0]?.message).toMatch(/otherAggregationType attribute must be used/);
    const fixed = broken.replace(
      'aggregationType="own_aggregation_definition"',
      'aggregationType="own_aggregation_definition" otherAggregationType="bygglovsärende"',
    );
    expect(await schematron.check(fixed)).toEqual([]);
  });

  it('fails dateType "other" without otherDateType (the erms.sch rule tests "Other", which the schema never allows)', async () => {
    const broken = valid.replace('<date dateType="closed">', '<date dateType="other">');
    const findings = await schematron.check(broken);
    expect(findings.map((f) => [f.id, f.schema, f.line])).toEqual([
      ['ERMS-otherDateType', 'erms-bevara.sch', lineOf(broken, '<date dateType="other">')],
    ]);
  });
});

describe('Schematron evaluator semantics', () => {
  const schema = (body: string) =>
    compileSchematron(
      `<schema xmlns="http://purl.oclc.org/dsdl/schematron"><ns prefix="x" uri="urn:x"/>${body}</schema>`,
      'test.sch',
    );
  const doc = '<r xmlns="urn:x">\n<a n="1"/>\n<a n="2"/>\n<b/>\n</r>';

  it('fires only the first matching rule of a pattern for a node, every pattern for every node', () => {
    const sch = schema(`
      <pattern id="p1">
        <rule context="x:a[@n = '1']"><assert id="first" test="false()">first <value-of select="@n"/></assert></rule>
        <rule context="x:a"><assert id="second" test="false()">second <name/></assert></rule>
      </pattern>
      <pattern id="p2"><rule context="x:a"><report id="rep" test="@n = '2'">report</report></rule></pattern>`);
    expect(sch.validate(doc).map((f) => [f.id, f.message, f.line])).toEqual([
      ['first', 'first 1', 2],
      ['second', 'second a', 3],
      ['rep', 'report', 3],
    ]);
  });

  it('refuses what it cannot run and documents with a DOCTYPE', () => {
    expect(() => schema('<include href="other.sch"/>')).toThrow(/sch:include is not supported/);
    const sch = schema('<pattern><rule context="x:a"><assert test="true()">ok</assert></rule></pattern>');
    expect(() => sch.validate('<!DOCTYPE r [<!ENTITY e "x">]><r/>')).toThrow(/DOCTYPE/);
  });
});
