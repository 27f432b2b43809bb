import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../shared/report/junit.js';
import { HOSTILE, makeReport } from '../../support/report-fixture.js';

interface Parsed {
  testsuites: {
    '@_tests': string;
    '@_failures': string;
    testsuite: Array<{
      '@_name': string;
      '@_tests': string;
      '@_failures': string;
      '@_errors': string;
      '@_skipped': string;
      '@_time': string;
      '@_timestamp': string;
      properties: { property: Array<{ '@_name': string; '@_value': string }> };
      testcase: Array<{ '@_classname': string; '@_name': string; failure?: { '@_message': string; '@_type': string; '#text': string }; error?: { '@_message': string }; skipped?: unknown }>;
      'system-out': string;
    }>;
  };
}

function parse(xml: string): Parsed['testsuites']['testsuite'][number] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  }).parse(xml) as Parsed;
  const suite = parsed.testsuites.testsuite[0];
  if (!suite) throw new Error('no testsuite');
  expect(parsed.testsuites['@_tests']).toBe(suite['@_tests']);
  expect(parsed.testsuites['@_failures']).toBe(suite['@_failures']);
  return suite;
}

describe('JUnit report', () => {
  it('parses as JUnit, with counts that match its test cases', () => {
    const suite = parse(renderJunit(makeReport()));
    expect(suite['@_name']).toBe('firedrill.kill-one-of-three');
    expect(suite['@_time']).toBe('15.000');
    expect(suite['@_timestamp']).toBe('2025-03-01T10:00:00');
    const cases = suite.testcase;
    // 2 expectations + 3 hypothesis bounds; verdict fail adds no case.
    expect(cases).toHaveLength(5);
    expect(Number(suite['@_tests'])).toBe(cases.length);
    expect(Number(suite['@_failures'])).toBe(cases.filter((testCase) => testCase.failure).length);
    expect(Number(suite['@_skipped'])).toBe(cases.filter((testCase) => testCase.skipped !== undefined).length);
    expect(Number(suite['@_errors'])).toBe(cases.filter((testCase) => testCase.error).length);
    expect([suite['@_failures'], suite['@_skipped'], suite['@_errors']]).toEqual(['2', '1', '0']);
    for (const testCase of cases) expect(testCase['@_classname']).toBe('firedrill.kill-one-of-three');
    const failed = cases.filter((testCase) => testCase.failure).map((testCase) => [testCase['@_name'], testCase.failure?.['@_type']]);
    expect(failed).toEqual([
      ['step 10: expect traffic.errorRate ≤ 0.01', 'expectation'],
      ['hypothesis: error rate ≤ 1 %', 'hypothesis'],
    ]);
    expect(cases.find((testCase) => testCase['@_name'] === 'hypothesis: lost writes ≤ 0')?.skipped).toBeDefined();
  });

  it('carries seed, profile and versions as properties and the reason as output, escaped and intact', () => {
    const suite = parse(renderJunit(makeReport({ versions: { firedrill: '0.1.0', node: '20.20.2', electron: '40.10.2' } })));
    const properties = Object.fromEntries(suite.properties.property.map((property) => [property['@_name'], property['@_value']]));
    expect(properties).toMatchObject({ seed: '7', profile: 'full', 'firedrill.version': '0.1.0', 'node.version': '20.20.2', 'electron.version': '40.10.2', title: HOSTILE.title });
    expect(suite['system-out']).toBe(`FAIL: ${HOSTILE.reason}`);
    const failure = suite.testcase.find((testCase) => testCase.failure)?.failure;
    expect(failure?.['@_message']).toBe('traffic.errorRate was 1.3 % > 1 % & "more" <script>');
    expect(failure?.['#text']).toContain('observed: 1.3 %');
  });

  it('adds a failing case for an aborted run and an error case for one that could not run', () => {
    const aborted = parse(renderJunit(makeReport({ verdict: 'aborted', reason: 'stopped: error rate above 20 % for 2 s' })));
    expect(aborted.testcase).toHaveLength(6);
    expect(aborted['@_failures']).toBe('3');
    expect(aborted.testcase.at(-1)?.failure).toMatchObject({ '@_type': 'aborted', '@_message': 'stopped: error rate above 20 % for 2 s' });
    const errored = parse(renderJunit(makeReport({ verdict: 'error', reason: 'the fleet did not start', expectations: [], hypothesis: [] })));
    expect(errored.testcase).toHaveLength(1);
    expect([errored['@_tests'], errored['@_errors'], errored['@_failures']]).toEqual(['1', '1', '0']);
    expect(errored.testcase[0]?.error?.['@_message']).toBe('the fleet did not start');
  });

  it('strips characters XML 1.0 cannot hold and escapes the rest', () => {
    const xml = renderJunit(makeReport({ reason: 'bad \u0000\u0001\u0008\u000B\u001F\uFFFE\uFFFF\uD800 bytes ]]> & <x> "q" \'a\'\tand\nlines' }));
    // eslint-disable-next-line no-control-regex -- looking for exactly those characters
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/);
    expect(xml).not.toContain(']]>');
    const suite = parse(xml);
    expect(suite['system-out']).toBe('FAIL: bad  bytes ]]> & <x> "q" \'a\'\tand\nlines');
  });
});
