import { describe, expect, it } from 'vitest';
import { formatLatency, formatProbability, softmax, topK } from '../src/core/topk.js';

describe('top-5', () => {
  it('softmax sums to one and survives large logits', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[0]!);
  });

  it('ranks best first with names, ties by lower index, at most k', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const r = topK([0, 3, 1, 3, -1, 2, 0.5], names, 5);
    expect(r.map((x) => x.label)).toEqual(['b', 'd', 'f', 'c', 'g']);
    expect(r[0]!.probability).toBeCloseTo(r[1]!.probability);
    expect(topK([1, 2], ['x', 'y'], 5)).toHaveLength(2);
    expect(topK([1, 2], [], 1)[0]!.label).toBe('class 1');
  });

  it('formats probabilities and latency for people', () => {
    expect(formatProbability(0.8734)).toBe('87.3 %');
    expect(formatProbability(0.0001)).toBe('< 0.1 %');
    expect(formatProbability(0)).toBe('0.0 %');
    expect(formatLatency(12.345)).toBe('12.3 ms');
    expect(formatLatency(1234)).toBe('1.23 s');
    expect(formatLatency(Number.NaN)).toBe('–');
  });
});
