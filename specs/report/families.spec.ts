/**
 * Reports of protocol version 2: the declared families and each failing case's family in the
 * text, JUnit and GitHub reports; nothing of it for a version-1 implementation and case.
 */
import { describe, expect, it } from 'vitest';
import { inProcess } from '../../src/iut/module.js';
import type { Implementation } from '../../src/iut/types.js';
import { gradientsToJson } from '../../src/network/json.js';
import { parseBatch, parseCase, parseNetwork } from '../../src/network/validate.js';
import { referenceGradients } from '../../src/reference/gradients.js';
import { verifyCases } from '../../src/verify/cases.js';
import { formatReport } from '../../src/report/text.js';
import { githubAnnotations, reportToJson, reportToJunit } from '../../src/report/formats.js';
import { caseFamilyText, declaredFamilyText } from '../../src/report/family.js';

/** The reference's gradients, every one doubled: wrong everywhere. */
function doubled(describe: Implementation['describe']): Implementation {
  return {
    describe,
    gradients(network, batch) {
      const net = parseNetwork(network);
      const g = referenceGradients(net, parseBatch(batch, net));
      return gradientsToJson({ ...g, layers: g.layers.map((l) => ({ W: l.W.map((w) => 2 * w), b: l.b ? l.b.map((b) => 2 * b) : null })) }, net);
    },
  };
}

const V2 = parseCase({ network: { layers: [{ weights: [[0.5]], bias: [0.1], activation: 'leaky_relu', alpha: 0.1 }, { weights: [[2]], activation: 'tanh' }], loss: 'mse' }, batch: { inputs: [[1]], targets: [[0.25]] } });
const V1 = parseCase({ network: { layers: [{ weights: [[0.5]], bias: [0.1] }] }, batch: { inputs: [[1]], targets: [[0.25]] } });

describe('families in reports', () => {
  it('caseFamilyText and declaredFamilyText: null for version 1', () => {
    expect(caseFamilyText({ network: { layers: [{ weights: [[1]] }] }, batch: { inputs: [[1]], targets: [[0]] } })).toBeNull();
    expect(caseFamilyText({ network: { layers: [{ weights: [[1]], activation: 'leaky_relu', alpha: 0.2 }, { weights: [[1]], activation: 'softmax' }], loss: 'cce' }, batch: { inputs: [[1]], targets: [[1]] } })).toBe('act[leaky_relu(0.2),softmax] cce');
    expect(declaredFamilyText({ name: 'x', precision: 'float64' })).toBeNull();
    expect(declaredFamilyText({ losses: ['mse'] })).toBe('activations sigmoid; losses mse; kink left');
  });

  it('a version-2 failure shows its family and the declarations in every format', async () => {
    const report = await verifyCases(inProcess(doubled(() => ({ activations: ['leaky_relu', 'tanh'], losses: ['mse'], kink: 'right' })), 'doubled'), [{ name: 'v2.json', case: V2 }], { certify: false });
    expect(report.verdict).toBe('wrong');
    const text = formatReport(report);
    expect(text).toContain('declares: activations leaky_relu, tanh; losses mse; kink right');
    expect(text).toContain('  family             act[leaky_relu(0.1),tanh] mse');
    const junit = reportToJunit(report);
    expect(junit).toContain('<property name="activations" value="leaky_relu,tanh"/>');
    expect(junit).toContain('<property name="losses" value="mse"/>');
    expect(junit).toContain('<property name="kink" value="right"/>');
    expect(junit).toContain('family: act[leaky_relu(0.1),tanh] mse');
    const annotations = githubAnnotations(report).join('\n');
    expect(annotations).toContain('family: act[leaky_relu(0.1),tanh] mse');
    expect(annotations).toContain('declares activations leaky_relu, tanh; losses mse; kink right');
    const json = JSON.parse(reportToJson(report)) as { implementation: { description: unknown } };
    expect(json.implementation.description).toEqual({ activations: ['leaky_relu', 'tanh'], losses: ['mse'], kink: 'right' });
  });

  it('a version-1 failure reads as before: no family, no declarations', async () => {
    const report = await verifyCases(inProcess(doubled(() => ({})), 'doubled v1'), [{ name: 'v1.json', case: V1 }], { certify: false });
    expect(report.verdict).toBe('wrong');
    for (const out of [formatReport(report), reportToJunit(report), githubAnnotations(report).join('\n')]) {
      expect(out).not.toMatch(/family|declares|name="activations"|name="kink"/);
    }
  });
});
