/**
 * Every command that computes runs on a device backend: with the boxed backend active (opaque storage,
 * the CPU's kernels, a host array in a kernel refused) each writes the CPU run's models and report,
 * except that the report names the backend and its adapter. Training is bit-identical; eval-mode
 * inference on a device skips the host-side BatchNorm fold (autodiff nn/fold.ts), so what is trained
 * on frozen features (align, distill) or read from eval-mode outputs agrees to rounding.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '@asma/autodiff/node';
import { boxedBackend, cpuBackend, setBackend } from '@asma/kernels';
import { readNpy } from '@asma/skeleton/node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alignCommand } from '../src/commands/align.js';
import { benchCommand } from '../src/commands/bench.js';
import { benchInferCommand } from '../src/commands/bench-infer.js';
import { demoCommand } from '../src/commands/demo.js';
import { distillCommand } from '../src/commands/distill.js';
import { embedCommand } from '../src/commands/embed.js';
import { evalCommand } from '../src/commands/eval.js';
import { finetuneCommand } from '../src/commands/finetune.js';
import { linearCommand } from '../src/commands/linear.js';
import { pretrainCommand } from '../src/commands/pretrain.js';
import { reproduceCommand } from '../src/commands/reproduce.js';
import { semiCommand } from '../src/commands/semi.js';
import { ntuRawFolder, TINY_REPRODUCE, tinyModel, tinySplit } from './tiny-split.js';

const { dir, split } = tinySplit('asma-device-commands-');
const log = vi.spyOn(console, 'log');
beforeAll(() => {
  log.mockImplementation(() => {});
});
afterAll(() => {
  log.mockRestore();
  setBackend(cpuBackend);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command into <dir>/<name>/cpu on the CPU and into <dir>/<name>/device on a boxed backend. */
async function both(name: string, args: (out: string) => string[], run: (a: string[]) => Promise<number>) {
  const cpu = join(dir, name, 'cpu');
  const device = join(dir, name, 'device');
  expect(await run(args(cpu))).toBe(0);
  const boxed = boxedBackend(cpuBackend);
  setBackend(boxed);
  try {
    expect(await run(args(device))).toBe(0);
  } finally {
    setBackend(cpuBackend);
  }
  return { cpu, device, boxed };
}

const bytes = (path: string) => readFileSync(path);
/** Largest |a - b| over every tensor of two safetensors files, relative to the largest |a|. */
function relativeError(a: string, b: string): number {
  const [fa, fb] = [readSafetensors(a), readSafetensors(b)];
  expect([...fb.tensors.keys()]).toEqual([...fa.tensors.keys()]);
  let err = 0;
  let scale = 0;
  for (const [k, ta] of fa.tensors) {
    const [da, db] = [ta.data, fb.tensors.get(k)!.data];
    for (let i = 0; i < da.length; i++) {
      scale = Math.max(scale, Math.abs(Number(da[i])));
      err = Math.max(err, Math.abs(Number(da[i]) - Number(db[i])));
    }
  }
  return err / scale;
}
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
/** A report without what differs between runs by nature: timings, the backend, output paths. */
function comparable(r: Record<string, unknown>): unknown {
  return JSON.parse(
    JSON.stringify(r, (k, v) => (/seconds|PerSecond|backend|adapter|^out$/i.test(k) ? undefined : v)),
  );
}

let encA = '';
let encB = '';
let classifier = '';
let alignment = '';

describe('the commands that compute, on a device backend (boxed CPU kernels)', () => {
  it('pretrain: the same encoder bytes', async () => {
    const r = await both(
      'pretrain',
      (out) => ['--data', split, '--method', 'asma', '--out', out, '--epochs', '1', ...tinyModel],
      (a) => pretrainCommand.run(a),
    );
    // (The checkpoint's metadata holds the epochs' timings; device-fit.test.ts resumes across backends.)
    for (const f of ['encoder_a.safetensors', 'encoder_b.safetensors'])
      expect(bytes(join(r.device, f)).equals(bytes(join(r.cpu, f))), f).toBe(true);
    expect(r.boxed.readbacks).toBeGreaterThan(0);
    encA = join(r.cpu, 'encoder_a.safetensors');
    encB = join(r.cpu, 'encoder_b.safetensors');
  });

  it('linear: the same report, naming the backend and adapter', async () => {
    const r = await both(
      'linear',
      (out) => [
        '--checkpoint',
        encA,
        '--data',
        split,
        '--epochs',
        '3',
        '--batch',
        '4',
        '--out',
        `${out}.json`,
      ],
      (a) => linearCommand.run(a),
    );
    const [cpu, dev] = [json(`${r.cpu}.json`), json(`${r.device}.json`)];
    expect(comparable(dev)).toEqual(comparable(cpu));
    expect(cpu).toMatchObject({ backend: 'cpu', adapter: null });
    expect(dev).toMatchObject({ backend: 'boxed(cpu)', adapter: { vendor: 'none' } });
  });

  it('finetune and semi: the same classifier bytes and report', async () => {
    const args = (out: string) => [
      '--checkpoint',
      encA,
      '--data',
      split,
      '--out',
      out,
      '--epochs',
      '2',
      '--batch',
      '4',
    ];
    const ft = await both('finetune', args, (a) => finetuneCommand.run(a));
    const semi = await both(
      'semi',
      (out) => [...args(out), '--fraction', '0.5'],
      (a) => semiCommand.run(a),
    );
    for (const r of [ft, semi]) {
      expect(
        bytes(join(r.device, 'classifier.safetensors')).equals(bytes(join(r.cpu, 'classifier.safetensors'))),
      ).toBe(true);
      const dev = json(join(r.device, 'report.json'));
      expect(comparable(dev)).toEqual(comparable(json(join(r.cpu, 'report.json'))));
      expect(dev.backend).toBe('boxed(cpu)');
    }
    classifier = join(ft.cpu, 'classifier.safetensors');
  });

  it('align: the same alignment module and report', async () => {
    const r = await both(
      'align',
      (out) => [
        ...['--checkpoint-a', encA, '--checkpoint-b', encB, '--data', split, '--out', out],
        ...['--epochs', '2', '--tokens', '2', '--heads', '2'],
      ],
      (a) => alignCommand.run(a),
    );
    const f = 'alignment.safetensors';
    expect(relativeError(join(r.cpu, f), join(r.device, f))).toBeLessThan(1e-4);
    const [cpu, dev] = [json(join(r.cpu, 'report.json')), json(join(r.device, 'report.json'))];
    expect([dev.trainAccuracy, dev.valAccuracy]).toEqual([cpu.trainAccuracy, cpu.valAccuracy]);
    expect(dev.backend).toBe('boxed(cpu)');
    alignment = join(r.cpu, f);
  });

  it('distill: the same student and report', async () => {
    const r = await both(
      'distill',
      (out) => [
        ...[
          '--teacher-a',
          encA,
          '--teacher-b',
          encB,
          '--alignment',
          alignment,
          '--data',
          split,
          '--out',
          out,
        ],
        ...['--epochs', '2', '--depth', '2', '--width', '4', '--batch', '4'],
      ],
      (a) => distillCommand.run(a),
    );
    // The teacher's logits come from eval-mode inference: the students agree to rounding.
    const [cpu, dev] = [json(join(r.cpu, 'report.json')), json(join(r.device, 'report.json'))];
    expect(dev.teacher).toEqual(cpu.teacher);
    expect(dev.student.valAccuracy).toBe(cpu.student.valAccuracy);
    expect(dev.history.map((h: { loss: number }) => h.loss)).toEqual(
      cpu.history.map((h: { loss: number }) => expect.closeTo(h.loss, 5)),
    );
    expect(dev.backend).toBe('boxed(cpu)');
  });

  it('embed and eval: the same features and scores', async () => {
    const data = join(split, 'val_position.npy');
    const emb = await both(
      'embed',
      (out) => ['--checkpoint', encA, '--data', data, '--out', `${out}.npy`, '--batch', '2'],
      (a) => embedCommand.run(a),
    );
    // Eval-mode inference on a device skips the host-side BatchNorm fold (autodiff nn/fold.ts): the
    // features differ from the CPU's by rounding only.
    const [zc, zd] = [readNpy(`${emb.cpu}.npy`), readNpy(`${emb.device}.npy`)];
    expect(zd.shape).toEqual(zc.shape);
    const [c, d] = [zc.data as Float32Array, zd.data as Float32Array];
    const scale = Math.max(...Array.from(c, Math.abs));
    const err = Math.max(...Array.from(d, (v, i) => Math.abs(v - c[i]!)));
    expect(err / scale).toBeLessThan(1e-5);
    const ev = await both(
      'eval',
      (out) => ['--classifier', classifier, '--data', split, '--out', `${out}.json`],
      (a) => evalCommand.run(a),
    );
    const dev = json(`${ev.device}.json`);
    expect(comparable(dev)).toEqual(comparable(json(`${ev.cpu}.json`)));
    expect(dev.backend).toBe('boxed(cpu)');
  });

  it('bench and bench-infer run and name the backend and adapter', async () => {
    const lines: string[] = [];
    log.mockImplementation((s: unknown) => {
      lines.push(String(s));
    });
    try {
      const b = await both(
        'bench',
        () => ['--batch', '2', '--frames', '8', '--base', '2', '--features', '8', '--steps', '1', '--json'],
        (a) => benchCommand.run(a),
      );
      expect(b.boxed.readbacks).toBeGreaterThan(0);
      const rows = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(rows.map((r) => [r.backend, r.adapter?.vendor ?? null])).toEqual([
        ['cpu', null],
        ['boxed(cpu)', 'none'],
      ]);
      // Pretraining: the pipelined step, the data part alone, the steps with their data ready.
      lines.length = 0;
      const tiny = ['--batch', '4', '--frames', '10', '--base', '2', '--features', '8', '--projector', '16'];
      await both(
        'bench-pretrain',
        () => [...tiny, '--method', 'asma', '--steps', '2', '--json'],
        (a) => benchCommand.run(a),
      );
      const pre = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(pre.map((r) => r.backend)).toEqual(['cpu', 'boxed(cpu)']);
      for (const r of pre) {
        expect(r.data_ms).toBeGreaterThan(0);
        expect(r.data_ready_step_ms).toBeGreaterThan(0);
        expect(r.pretrain_step_ms).toBeGreaterThan(0);
        expect(r.data_wait_share).toBeGreaterThanOrEqual(0);
        expect(r.data_wait_share).toBeLessThan(1);
      }
    } finally {
      log.mockImplementation(() => {});
    }
    const r = await both(
      'bench-infer',
      (out) => [
        '--data',
        split,
        '--student',
        classifier,
        '--batches',
        '2',
        '--reps',
        '1',
        '--out',
        `${out}.json`,
      ],
      (a) => benchInferCommand.run(a),
    );
    expect(json(`${r.device}.json`)).toMatchObject({ backend: 'boxed(cpu)', adapter: { vendor: 'none' } });
    expect(json(`${r.cpu}.json`)).toMatchObject({ backend: 'cpu', adapter: null });
  });

  it('reproduce: the same pretrained encoders and every protocol on the device', async () => {
    const raw = join(dir, 'ntu-raw');
    ntuRawFolder(raw);
    const r = await both(
      'reproduce',
      (out) => ['--ntu60', raw, '--out', out, ...TINY_REPRODUCE, '--yes'],
      (a) => reproduceCommand.run(a),
    );
    for (const f of [
      'ntu60-xsub/pretrain/encoder_a.safetensors',
      'ntu60-xview/pretrain/encoder_b.safetensors',
    ])
      expect(bytes(join(r.device, f)).equals(bytes(join(r.cpu, f))), f).toBe(true);
    const rows = (d: string) => json(join(d, 'results.json')).rows;
    const [cpu, device] = [rows(r.cpu), rows(r.device)];
    expect(Object.keys(device)).toEqual(['ntu60-xsub', 'ntu60-xview']);
    for (const b of Object.keys(cpu)) {
      expect(Object.keys(device[b].scores), b).toEqual(Object.keys(cpu[b].scores));
      // Fine-tuning trains on the device bit for bit as on the CPU (its accuracy reads eval-mode logits).
      expect(device[b].scores['fine-tune'], b).toBe(cpu[b].scores['fine-tune']);
    }
  }, 150_000);

  it('demo --quick runs the whole pipeline on the device and names it in the report', async () => {
    const out = join(dir, 'demo');
    setBackend(boxedBackend(cpuBackend));
    try {
      expect(await demoCommand.run(['--quick', '--out', out, '--seeds', '0'])).toBe(0);
    } finally {
      setBackend(cpuBackend);
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain(
      "kernel backend 'boxed(cpu)' on none host arrays in boxes",
    );
  }, 150_000);
});
