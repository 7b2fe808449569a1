import { noGrad, randn } from '@asma/autodiff';
import { Rng } from '@asma/util';
import { describe, expect, it } from 'vitest';
import {
  checkOnnx,
  createStudent,
  decodeProto,
  exportOnnx,
  loadOnnxRuntime,
  ProtoWriter,
} from '../src/index.js';
import { randomizeStats, tinyClassifier } from './helpers.js';

const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

describe('protobuf writer', () => {
  it('encodes varints (negative int64 as 10 bytes), strings and floats that decode back', () => {
    const b = new ProtoWriter()
      .int(1, 300)
      .int(2, -1)
      .string(3, 'hi')
      .float(4, 1.5)
      .packedInts(5, [1, -2])
      .finish();
    const f = decodeProto(b);
    expect(f.map((x) => x.field)).toEqual([1, 2, 3, 4, 5]);
    expect(f[0]!.value).toBe(300n);
    expect(BigInt.asIntN(64, f[1]!.value as bigint)).toBe(-1n);
    expect([...b.subarray(0, 3)]).toEqual([0x08, 0xac, 0x02]);
    expect(text(f[2]!.value)).toBe('hi');
    expect(new DataView((f[3]!.value as Uint8Array).slice().buffer).getFloat32(0, true)).toBe(1.5);
  });
});

describe('ONNX export', () => {
  const frames = 12;
  const x = randn([3, 3, frames, 25, 2], new Rng(5));
  const cases = [
    ['tiny classifier with edge importance', tinyClassifier(4, 2, true)],
    ['student', createStudent(5, { depth: 4, width: 8 }, 3)],
  ] as const;

  it('writes a ModelProto with opset 13, a graph, the clips input and the logits output', () => {
    const bytes = exportOnnx(cases[0][1], { frames });
    const model = decodeProto(bytes);
    const opset = decodeProto(model.find((f) => f.field === 8)!.value as Uint8Array);
    expect(opset.find((f) => f.field === 2)!.value).toBe(13n);
    const graph = decodeProto(model.find((f) => f.field === 7)!.value as Uint8Array);
    const ops = graph
      .filter((f) => f.field === 1)
      .map((n) => text(decodeProto(n.value as Uint8Array).find((f) => f.field === 4)!.value));
    expect(ops).toContain('Conv');
    expect(ops).toContain('MatMul');
    expect(ops.at(-1)).toBe('Gemm');
    const name = (f: { value: unknown }) =>
      text(decodeProto(f.value as Uint8Array).find((g) => g.field === 1)!.value);
    expect(name(graph.find((f) => f.field === 11)!)).toBe('clips');
    expect(name(graph.find((f) => f.field === 12)!)).toBe('logits');
  });

  for (const [label, model] of cases)
    it(`onnxruntime-node gives our logits: ${label}`, async (ctx) => {
      randomizeStats(model, 7);
      model.eval();
      const rt = await loadOnnxRuntime();
      if (!rt.ok) {
        console.warn(`skipping the onnxruntime check: ${rt.reason}`);
        ctx.skip();
      }
      const want = noGrad(() => model.forward(x)).data;
      const r = await checkOnnx(exportOnnx(model, { frames }), x.data as Float32Array, x.shape, want);
      expect(r.ran).toBe(true);
      expect(r.relativeError!).toBeLessThan(1e-5);
    });
});
