import { describe, expect, it } from 'vitest';
import { balancedLambda, collapseWarning, PAPER_LAMBDA_WIDTH } from '../src/pretrain/collapse.js';
import type { EpochRecord } from '../src/train/fit.js';

const epoch = (redundancy: number) =>
  ({ epoch: 0, loss: 1, parts: { redundancy } }) as unknown as EpochRecord;

describe('collapseWarning', () => {
  it('names the redundancy, the balance and the lambda that restores the paper balance', () => {
    const w = collapseWarning([epoch(0.1), epoch(0.9)], { lambda: 2e-4, projectorWidth: 256 });
    expect(w).toMatch(/collapsed/);
    expect(w).toContain('0.90');
    expect(w).toContain('--lambda 0.0048');
    expect(w).toContain('lambda * width = 0.0512');
  });

  it('stays quiet for decorrelated projections and for logs without the term', () => {
    expect(collapseWarning([epoch(0.9), epoch(0.2)], { lambda: 2e-4, projectorWidth: 256 })).toBeNull();
    expect(collapseWarning([], { lambda: 2e-4, projectorWidth: 256 })).toBeNull();
  });

  it('the paper width keeps the paper lambda', () => {
    expect(balancedLambda(6144)).toBeCloseTo(2e-4, 12);
    expect(PAPER_LAMBDA_WIDTH).toBeCloseTo(1.2288, 12);
  });
});
