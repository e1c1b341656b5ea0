import { describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText, propertyOfWhere, replayText, reportToJunit } from '../../src/report/junit.js';
import type { VerifyReport } from '../../src/verify/report.js';
import { CORRECT, ERROR, failure, GIVEN, INACCURATE, prop, report, REPORTS, SMALL_CASE, stats, WRONG } from './fixtures.js';
import { findAll, parseXml, type XmlElement } from './xml.js';

function junit(r: VerifyReport): { root: XmlElement; suite: XmlElement; cases: XmlElement[] } {
  const root = parseXml(reportToJunit(r));
  const suites = findAll(root, 'testsuite');
  expect(suites).toHaveLength(1);
  return { root, suite: suites[0]!, cases: findAll(root, 'testcase') };
}

function testCase(r: VerifyReport, name: string): XmlElement {
  const found = junit(r).cases.find((c) => c.attributes.name === name);
  if (!found) throw new Error(`no test case "${name}"`);
  return found;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

describe('the well-formedness checker of these specs', () => {
  const ok = '<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 &amp; 2"><b/>text &lt;</a>\n';
  it('reads a small document and rejects what is not well-formed', () => {
    expect(parseXml(ok)).toMatchObject({ name: 'a', attributes: { x: '1 & 2' }, text: 'text <', children: [{ name: 'b' }] });
    const bad = [
      ok.replace('<b/>', '<b>'),
      ok.replace('</a>', '</b>'),
      ok.replace('&amp;', '&'),
      ok.replace('1 &amp; 2', '1 " 2'),
      ok.replace('x="1', 'x=1 y="1'),
      ok.replace('<b/>', '<b y="<"/>'),
      ok.replace('<b/>', '<b y="1" y="2"/>'),
      ok.replace('text', 'te\u0001xt'),
      ok.replace('<?xml version="1.0" encoding="UTF-8"?>', ''),
      `${ok}<c/>`,
      `${ok}stray`,
      ok.replace('<a x="1 &amp; 2">', '<a x="1 &amp; 2"></a></a>'),
      '<?xml version="1.0" encoding="UTF-8"?>\n',
    ];
    for (const doc of bad) expect(() => parseXml(doc), doc).toThrow();
  });
});

describe('reportToJunit', () => {
  it.each(Object.entries(REPORTS))('%s: well-formed; tests, failures and errors match its test cases', (_name, r) => {
    const xml = reportToJunit(r);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="backprop-oracle" ')).toBe(true);
    expect(xml.endsWith('</testsuites>\n')).toBe(true);
    const { root, suite, cases } = junit(r);
    expect(root.name).toBe('testsuites');
    expect(suite.attributes.name).toBe(`backprop-oracle: ${r.implementation.label}`);
    for (const element of [root, suite]) {
      expect(Number(element.attributes.tests)).toBe(cases.length);
      expect(Number(element.attributes.failures)).toBe(cases.filter((c) => child(c, 'failure')).length);
      expect(Number(element.attributes.errors)).toBe(cases.filter((c) => child(c, 'error')).length);
      expect(element.attributes.time).toBe((r.durationMs / 1000).toFixed(3));
    }
    // every test case: a class name, a name, a time, and at most one of failure or error
    for (const c of cases) {
      expect(c.attributes).toEqual({ classname: expect.any(String), name: expect.any(String), time: expect.stringMatching(/^\d+\.\d{3}$/) });
      expect(c.children.filter((x) => x.name === 'failure' || x.name === 'error').length).toBeLessThanOrEqual(1);
    }
    expect(reportToJunit(r)).toBe(xml);
  });

  it('has one test case per property and origin with judged cases, in a fixed order', () => {
    expect(junit(CORRECT).cases.map((c) => `${c.attributes.classname}/${c.attributes.name}`)).toEqual([
      'typical/result (typical)',
      'typical/loss (typical)',
      'typical/gradients (typical)',
      'zeros/result (zeros)',
      'zeros/loss (zeros)',
      'zeros/gradients (zeros)',
    ]);
    expect(junit(CORRECT).cases.every((c) => c.children.length === 0)).toBe(true);
    expect(junit(WRONG).cases.map((c) => c.attributes.name)).toContain('outputs (typical)');
    expect(junit(report({ classes: {} })).cases).toEqual([]);
  });

  it('fails the wrong property with the counts, the message, the shrunk case and how to replay it', () => {
    const { cases } = junit(WRONG);
    const failed = cases.filter((c) => child(c, 'failure'));
    expect(failed.map((c) => c.attributes.name)).toEqual(['loss (typical)']);
    const f = child(failed[0]!, 'failure')!;
    expect(f.attributes.type).toBe('wrong');
    expect(f.attributes.message).toBe(`1 of 3 case(s) wrong: loss E: implementation 0.6, oracle 0.57407698418010663, error 2.59e-2 > 4.4e-16 allowed ("<&'>")`);
    expect(f.text).toContain('loss of 3 typical case(s): 2 correct, 0 inaccurate, 1 wrong');
    expect(f.text).toContain(`case (shrunk in 7 steps): ${JSON.stringify(SMALL_CASE)}`);
    expect(f.text).toContain("replay: --seed 42 --path 8:0:0:1  or  --case 'counterexamples/wrong case 1.json'");
    expect(f.text).not.toContain('\u0001');
  });

  it('writes the wrong report as this text (times apportioned from durationMs by cases)', () => {
    expect(reportToJunit(WRONG)).toMatchInlineSnapshot(`
      "<?xml version="1.0" encoding="UTF-8"?>
      <testsuites name="backprop-oracle" tests="13" failures="1" errors="0" time="0.988">
        <testsuite name="backprop-oracle: module buggy &lt;wrong&gt; &amp; &quot;scaled&quot;.mjs" tests="13" failures="1" errors="0" skipped="0" time="0.988">
          <properties>
            <property name="verdict" value="wrong"/>
            <property name="exitCode" value="1"/>
            <property name="strict" value="false"/>
            <property name="mode" value="generated"/>
            <property name="precision" value="float64"/>
            <property name="runs" value="200"/>
            <property name="casesRun" value="9"/>
            <property name="seed" value="42"/>
          </properties>
          <testcase classname="typical" name="result (typical)" time="0.082"/>
          <testcase classname="typical" name="loss (typical)" time="0.082">
            <failure message="1 of 3 case(s) wrong: loss E: implementation 0.6, oracle 0.57407698418010663, error 2.59e-2 &gt; 4.4e-16 allowed (&quot;&lt;&amp;&apos;&gt;&quot;)" type="wrong">loss of 3 typical case(s): 2 correct, 0 inaccurate, 1 wrong

      wrong (typical): loss E: implementation 0.6, oracle 0.57407698418010663, error 2.59e-2 &gt; 4.4e-16 allowed ("&lt;&amp;'&gt;")
      case (shrunk in 7 steps): {"network":{"layers":[{"weights":[[0.5]],"bias":[-0.25]}],"reduction":"sum"},"batch":{"inputs":[[1]],"targets":[[1]]}}
      replay: --seed 42 --path 8:0:0:1  or  --case 'counterexamples/wrong case 1.json'</failure>
          </testcase>
          <testcase classname="typical" name="gradients (typical)" time="0.082"/>
          <testcase classname="typical" name="outputs (typical)" time="0.082"/>
          <testcase classname="zeros" name="result (zeros)" time="0.073"/>
          <testcase classname="zeros" name="loss (zeros)" time="0.073"/>
          <testcase classname="zeros" name="gradients (zeros)" time="0.073"/>
          <testcase classname="tiny" name="result (tiny)" time="0.073"/>
          <testcase classname="tiny" name="loss (tiny)" time="0.073"/>
          <testcase classname="tiny" name="gradients (tiny)" time="0.073"/>
          <testcase classname="saturating" name="result (saturating)" time="0.073"/>
          <testcase classname="saturating" name="loss (saturating)" time="0.073"/>
          <testcase classname="saturating" name="gradients (saturating)" time="0.073"/>
          <system-out>generation stopped at the first failing case (9 of 200 cases run), which was then shrunk</system-out>
        </testsuite>
      </testsuites>
      "
    `);
  });

  it('passes inaccurate values without --strict, naming the cancellations in <system-out>', () => {
    const { root, cases } = junit(INACCURATE);
    expect(root.attributes.failures).toBe('0');
    expect(cases.filter((c) => c.children.length > 0).map((c) => c.attributes.name)).toEqual(['gradients (saturating)']);
    const out = child(testCase(INACCURATE, 'gradients (saturating)'), 'system-out')!.text;
    expect(out).toContain('2 of 4 case(s) inaccurate in gradients (not a failure without --strict)');
    expect(out).toContain("slope: 5 value(s), up to 3.2 digits lost: sigma'(S) = Z(1-Z) formed from a rounded Z");
    expect(out).toContain('outputDelta: 1 value(s), up to 1.1 digits lost');
    expect(out).toContain("finite difference of the oracle's loss: 1.2000000000000000001e-40");
    expect(out).toContain('3 values of this case are inaccurate');
    expect(out).not.toContain('first:'); // the failure below repeats the first message
  });

  it('fails inaccurate values with --strict (type inaccurate)', () => {
    const strict = { ...INACCURATE, strict: true, exitCode: 1 as const };
    const f = child(testCase(strict, 'gradients (saturating)'), 'failure')!;
    expect(f.attributes.type).toBe('inaccurate');
    expect(f.attributes.message).toMatch(/^2 of 4 case\(s\) inaccurate \(strict\): layer 1, dE\/dW/);
    const given = child(testCase(GIVEN, 'outputs (given)'), 'failure')!;
    expect(given.text).toContain('inaccurate (given case "saturated, deep"): output Z[sample=0][i=0]');
    expect(given.text).toContain(`replay: --case 'cases/it'\\''s.json'`);
  });

  it('shows the first message when no failure of the report repeats it', () => {
    const r = report({ verdict: 'wrong', exitCode: 1, classes: { tiny: stats(5, { properties: { gradients: prop(4, 0, 1, 'layer 2, dE/db[i=0]: wrong') } }) } });
    const f = child(testCase(r, 'gradients (tiny)'), 'failure')!;
    expect(f.text).toBe('gradients of 5 tiny case(s): 4 correct, 0 inaccurate, 1 wrong\nfirst: layer 2, dE/db[i=0]: wrong');
    const quiet = report({ classes: { tiny: stats(5, { properties: { gradients: prop(4, 1, 0) } }) } });
    expect(child(testCase(quiet, 'gradients (tiny)'), 'system-out')!.text.split('\n')).toEqual([
      '1 of 5 case(s) inaccurate in gradients (not a failure without --strict)',
      'inaccurate values of the tiny cases by cancellation:',
    ]);
    const bare = report({ verdict: 'wrong', exitCode: 1, classes: { tiny: stats(5, { properties: { result: prop(4, 0, 1) } }) } });
    expect(child(testCase(bare, 'result (tiny)'), 'failure')!.attributes.message).toBe('1 of 5 case(s) wrong');
  });

  it('reports a failure of the implementation as an <error> of an "implementation" test case', () => {
    const e = child(testCase(ERROR, 'implementation'), 'error')!;
    expect(e.attributes).toEqual({ message: 'no answer within 10 s\n(the process was killed)', type: 'E_TIMEOUT' });
    expect(e.text).toBe(`E_TIMEOUT: no answer within 10 s\n(the process was killed)\ncase: ${JSON.stringify(SMALL_CASE)}`);
    const noCase = { ...ERROR, error: { code: 'E_LOAD', message: 'cannot load module', case: null } };
    expect(child(testCase(noCase, 'implementation'), 'error')!.text).toBe('E_LOAD: cannot load module');
  });

  it('reports non-determinism as a <system-err> warning on a passing "determinism" test case', () => {
    const d = testCase(GIVEN, 'determinism');
    expect(child(d, 'failure')).toBeUndefined();
    expect(d.attributes.classname).toBe('determinism');
    const err = child(d, 'system-err')!.text;
    expect(err).toContain('warning: the implementation gave different answers to the same case (1 time(s), 0 beyond the bound; 2 cases checked twice)');
    expect(err).toContain('layer 1, dE/db[i=0]: first 0.125, then not finite (within the bound)');
    expect(err).toContain('layer 1, dE/db[i=0]: first 0.125, then not finite');
    const reversed = { ...GIVEN, nondeterminism: { checked: 1, differing: [{ where: 'loss E', first: null, second: 2, beyondBound: false, case: SMALL_CASE }] } };
    expect(child(testCase(reversed, 'determinism'), 'system-err')!.text).toContain('loss E: first not finite, then 2');
    expect(junit(CORRECT).cases.map((c) => c.attributes.name)).not.toContain('determinism');
    // beyond the bound, the two answers make a failing "determinism" test case
    const beyond = { ...GIVEN, nondeterminism: { checked: 1, differing: [{ where: 'loss E', first: 1, second: 2, beyondBound: true, case: SMALL_CASE }] } };
    expect(child(testCase(beyond, 'determinism'), 'failure')!.attributes).toMatchObject({ type: 'wrong', message: 'answered the same case differently, beyond the bound, at loss E: 1 then 2' });
  });

  it('keeps the run in <properties> and the notes in the suite\'s <system-out>', () => {
    const props = (r: VerifyReport): Record<string, string> =>
      Object.fromEntries(findAll(junit(r).suite, 'property').map((p) => [p.attributes.name!, p.attributes.value!]));
    expect(props(WRONG)).toEqual({ verdict: 'wrong', exitCode: '1', strict: 'false', mode: 'generated', precision: 'float64', runs: '200', casesRun: '9', seed: '42' });
    expect(props(GIVEN)).toMatchObject({ mode: 'cases', shard: '1/3', strict: 'true' });
    expect(props(GIVEN)).not.toHaveProperty('seed');
    expect(child(junit(WRONG).suite, 'system-out')!.text).toBe(WRONG.notes[0]);
    expect(child(junit(CORRECT).suite, 'system-out')).toBeUndefined();
  });

  it('fails a test case for a wrong failure whose property passed (a shrunk case can fail worse), or that had no test case', () => {
    const shape = failure({ where: 'result', kind: 'shape', message: 'malformed result: gradients[0] has 2 rows, expected 1', shrinkSteps: null, replay: { seed: null, path: null, file: null } });
    const elsewhere = report({ failures: [shape] });
    const placed = child(testCase(elsewhere, 'result (typical)'), 'failure')!;
    expect(placed.attributes).toMatchObject({ type: 'wrong', message: 'a case found while shrinking is wrong: malformed result: gradients[0] has 2 rows, expected 1' });
    expect(placed.text.split('\n')).toEqual([
      'result of 10 typical case(s): 10 correct, 0 inaccurate, 0 wrong',
      '',
      'wrong (typical): malformed result: gradients[0] has 2 rows, expected 1',
      `case: ${JSON.stringify(SMALL_CASE)}`,
    ]);
    const nowhere = report({ failures: [failure({ origin: 'tiny' }), failure({ where: 'output Z[sample=0][i=0]', message: 'output wrong' })] });
    const out = child(junit(nowhere).suite, 'system-out')!.text;
    expect(out).toContain('wrong (tiny): loss E');
    expect(out).toContain('wrong (typical): output wrong');
    expect(junit(nowhere).cases.filter((c) => child(c, 'failure')).map((c) => c.attributes.name)).toEqual(['counterexample (tiny)', 'counterexample (typical)']);
    // an inaccurate one without --strict passes, as the run does
    expect(junit(report({ failures: [failure({ origin: 'tiny', outcome: 'inaccurate' })] })).cases.filter((c) => child(c, 'failure'))).toEqual([]);
  });

  it('derives every time from durationMs: apportioned by cases, equal for equal reports', () => {
    const times = junit(WRONG).cases.map((c) => Number(c.attributes.time));
    const total = times.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - WRONG.durationMs / 1000)).toBeLessThan(0.001 * times.length);
    expect(times[0]).toBeCloseTo((WRONG.durationMs / 1000) * (3 / 9) / 4, 3);
    const empty = junit(report({ classes: { tiny: stats(0, { properties: { loss: prop(1) } }) } }));
    expect(empty.cases.map((c) => [c.attributes.name, c.attributes.time])).toEqual([['loss (tiny)', '0.000']]);
    for (const durationMs of [Number.NaN, -1, 0]) {
      const { root, cases } = junit({ ...WRONG, durationMs });
      expect(root.attributes.time).toBe('0.000');
      expect(cases.every((c) => c.attributes.time === '0.000')).toBe(true);
    }
  });
});

describe('XML escaping', () => {
  it('escapes markup and drops characters XML 1.0 cannot hold', () => {
    expect(escapeXmlText(`a & b < c > d "e" 'f'`)).toBe(`a &amp; b &lt; c &gt; d "e" 'f'`);
    expect(escapeXmlAttribute(`a & b < c > d "e" 'f'\tg\nh\ri`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;&#9;g&#10;h&#13;i');
    expect(escapeXmlText('\u0000a\u0008b\u000Bc\u000Cd\u001Fe\uFFFEf\uFFFFg\uD800h\uDC00i')).toBe('abcdefghi');
    expect(escapeXmlText('tab\tnl\ncr\r \u00e9 \uD7FF \uE000 \uFFFD \u{1F600}')).toBe('tab\tnl\ncr\r \u00e9 \uD7FF \uE000 \uFFFD \u{1F600}');
  });

  it('round-trips hostile text through a parsed document', () => {
    const label = `x"y'z<&>\u0000\u0007 \u{1F600}\n`;
    const r = report({ implementation: { ...CORRECT.implementation, label }, notes: [`note ]]> <![CDATA[ & \u0002`] });
    const { suite } = junit(r);
    expect(suite.attributes.name).toBe(`backprop-oracle: x"y'z<&> \u{1F600}\n`);
    expect(child(suite, 'system-out')!.text).toBe('note ]]> <![CDATA[ & ');
    expect(reportToJunit(r)).not.toContain(']]>');
  });
});

describe('helpers', () => {
  it('propertyOfWhere: loss E, layer ..., output ..., result', () => {
    expect(propertyOfWhere('loss E')).toBe('loss');
    expect(propertyOfWhere('layer 2, dE/dW[j=1][i=0]')).toBe('gradients');
    expect(propertyOfWhere('layer 1, dE/db[i=0]')).toBe('gradients');
    expect(propertyOfWhere('output Z[sample=0][i=1]')).toBe('outputs');
    expect(propertyOfWhere('result')).toBe('result');
  });

  it('replayText: seed and path, a saved file, or nothing', () => {
    expect(replayText({ seed: 7, path: '1:2', file: null })).toBe('--seed 7 --path 1:2');
    expect(replayText({ seed: null, path: '1:2', file: null })).toBeNull();
    expect(replayText({ seed: 7, path: null, file: 'a/b.json' })).toBe('--case a/b.json');
    expect(replayText({ seed: null, path: null, file: null })).toBeNull();
  });
});
