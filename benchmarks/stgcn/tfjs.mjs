#!/usr/bin/env node
/**
 * TensorFlow.js peer of `asma bench` and tools/torch/bench_stgcn.py: ST-GCN-16 in PSTL's configuration
 * (821,380 parameters) + Linear(256, 60) head on seeded random input (B, 3, T, 25, M), built from
 * @tensorflow/tfjs ops (the union package: it registers the gradients and chained ops that tfjs-core
 * alone does not) on tfjs-backend-cpu or tfjs-backend-wasm.
 *
 *   train: forward -> head -> softmax cross-entropy, gradients, Adam(lr 1e-3, eps 1e-8) step (optimizer.minimize)
 *   infer: eval mode (running BN statistics, no dropout, no tape) at batch B;  latency: the same at batch 1.
 * Figures are medians over --steps repetitions after one warm-up. Layout is channels last (N*M, T, V, C):
 * data_bn over the V*C channels, per block a 1x1 conv (matMul) to K*Cout channels, aggregation with the
 * NTU-25 'spatial' adjacency (K = 3) times the block's edge importance, BN, ReLU, 9x1 conv (tf.conv2d,
 * padding 4, temporal stride), BN, dropout 0.5 in training (not in the first block), residual (none,
 * identity, or 1x1 conv with stride + BN), ReLU; mean over (T, V), then over the M persons.
 *
 * tfjs-backend-wasm has no Conv2DBackpropFilter kernel, so it cannot train as shipped: the training figure is
 * null with a `train_note`, unless `--conv-grad manual` gives the 9x1 conv hand-written gradients (a
 * workaround, reported in the JSON). tfjs-backend-cpu trains, very slowly (~0.014 samples/s at B=16 on
 * 2026-11-24, i.e. ~19 minutes a step), so by default it times one step at batch 2 without warm-up
 * (`--train-batch`, `--train-steps`, `--train-warmup` override; `--train-batch 0` skips training).
 * `--warmup N` sets the untimed batch-B inference passes (default 1; the batch-1 latency always has one).
 * One JSON line with --json.
 *
 *   node benchmarks/stgcn/tfjs.mjs [--backend wasm|cpu] [--batch 16] [--frames 50] [--persons 2] [--base 16]
 *     [--features 256] [--steps 3] [--warmup 1] [--train-batch N] [--train-steps N] [--train-warmup N]
 *     [--conv-grad native|manual] [--check] [--json]
 * --check: forward output shape, and the loss over 6 steps on one tiny fixed batch (should decrease).
 * Exit status 2 (and a line on stderr) when @tensorflow/tfjs or @tensorflow/tfjs-backend-wasm is not installed.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median, sampleMs } from '../timing.mjs';

const PSTL_PARAMETERS = 821380;
const CLASSES = 60;
const K = 3;
const KT = 9;

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '16' },
    frames: { type: 'string', default: '50' },
    persons: { type: 'string', default: '2' },
    base: { type: 'string', default: '16' },
    features: { type: 'string', default: '256' },
    steps: { type: 'string', default: '3' },
    'train-batch': { type: 'string' },
    'train-steps': { type: 'string' },
    'train-warmup': { type: 'string' },
    'conv-grad': { type: 'string', default: 'native' },
    warmup: { type: 'string' },
    check: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function int(name, fallback, min = 1) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name}: expected an integer >= ${min}, got ${raw}`);
  return n;
}

const backendName = values.backend;
if (backendName !== 'cpu' && backendName !== 'wasm')
  throw new Error(`--backend: expected cpu or wasm, got ${backendName}`);
const convGrad = values['conv-grad'];
if (convGrad !== 'native' && convGrad !== 'manual')
  throw new Error(`--conv-grad: expected native or manual, got ${convGrad}`);
const batch = int('batch', 16);
const frames = int('frames', 50);
const persons = int('persons', 2);
const base = int('base', 16);
const features = int('features', 256);
const steps = int('steps', 3);
const slowCpuTrain = backendName === 'cpu';
const trainBatch = int('train-batch', slowCpuTrain ? Math.min(2, batch) : batch, 0);
const trainSteps = int('train-steps', slowCpuTrain ? 1 : steps);
const trainWarmup = int('train-warmup', slowCpuTrain ? 0 : 1, 0);
const warmup = int('warmup', 1, 0);

let tf;
let wasm = null;
try {
  tf = await import('@tensorflow/tfjs');
  if (backendName === 'wasm') wasm = await import('@tensorflow/tfjs-backend-wasm');
} catch (e) {
  console.error(`tfjs not installed: ${e.message.split('\n')[0]}`);
  process.exit(2);
}
const { NTU25, adjacency } = await import('@asma/skeleton');

if (!(await tf.setBackend(backendName))) throw new Error(`tf.setBackend('${backendName}') failed`);
await tf.ready();

const simd = wasm ? tf.env().getBool('WASM_HAS_SIMD_SUPPORT') : null;
const wasmThreads = wasm ? tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') : null;
const backendDescription = wasm
  ? `tfjs-backend-wasm ${wasm.version_wasm} (SIMD ${simd ? 'on' : 'off'}, threads ${wasmThreads ? 'on' : 'off'})`
  : `tfjs-backend-cpu ${tf.version['tfjs-backend-cpu']} (pure JS)`;

// ---------------------------------------------------------------- model

/** (in, out, stride, residual) for the ten PSTL blocks, as pstl_plan in tools/torch/stgcn_reference.py. */
function pstlPlan(h, hiddenDim) {
  return [
    [3, h, 1, false],
    [h, h, 1, true],
    [h, h, 1, true],
    [h, h, 1, true],
    [h, 2 * h, 2, true],
    [2 * h, 2 * h, 1, true],
    [2 * h, 2 * h, 1, true],
    [2 * h, 4 * h, 2, true],
    [4 * h, 4 * h, 1, true],
    [4 * h, hiddenDim, 1, true],
  ];
}

function buildModel(hidden, hiddenDim, seed0) {
  let seed = seed0;
  const params = [];
  const param = (t) => {
    const v = tf.variable(t, true);
    params.push(v);
    return v;
  };
  // PyTorch's default Conv2d / Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
  const uniform = (shape, fanIn) => {
    const b = 1 / Math.sqrt(fanIn);
    return tf.randomUniform(shape, -b, b, 'float32', seed++);
  };
  const bn = (c) => ({
    gamma: param(tf.ones([c])),
    beta: param(tf.zeros([c])),
    mean: tf.variable(tf.zeros([c]), false),
    variance: tf.variable(tf.ones([c]), false),
  });
  const a = adjacency(NTU25, 'spatial');
  const A = tf.tensor3d(a.data, a.shape);
  const v = a.shape[1];
  const dataBn = bn(3 * v);
  const blocks = pstlPlan(hidden, hiddenDim).map(([cin, cout, stride, residual], i) => ({
    cin,
    cout,
    stride,
    dropout: residual ? 0.5 : 0,
    gcnW: param(uniform([cin, K * cout], cin)),
    gcnB: param(uniform([K * cout], cin)),
    bn1: bn(cout),
    tcnW: param(uniform([KT, 1, cout, cout], cout * KT)),
    tcnB: param(uniform([cout], cout * KT)),
    bn2: bn(cout),
    residual: !residual ? 'none' : cin === cout && stride === 1 ? 'identity' : 'conv',
    resW: residual && (cin !== cout || stride !== 1) ? param(uniform([cin, cout], cin)) : null,
    resB: residual && (cin !== cout || stride !== 1) ? param(uniform([cout], cin)) : null,
    resBn: residual && (cin !== cout || stride !== 1) ? bn(cout) : null,
    importance: param(tf.ones(a.shape)),
    index: i,
  }));
  const encoderParams = params.length;
  const head = {
    w: param(uniform([hiddenDim, CLASSES], hiddenDim)),
    b: param(uniform([CLASSES], hiddenDim)),
  };
  const size = (vs) => vs.reduce((s, p) => s + p.size, 0);
  return {
    A,
    dataBn,
    blocks,
    head,
    params,
    parameters: size(params.slice(0, encoderParams)),
    headParameters: size(params.slice(encoderParams)),
  };
}

/** BatchNorm over the last axis of a rank-4 tensor; in training, records the batch statistics. */
function batchNorm(x, p, training, stats) {
  if (!training) return tf.batchNorm(x, p.mean, p.variance, p.beta, p.gamma, 1e-5);
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  stats.push({ p, mean: tf.keep(mean), variance: tf.keep(variance), count: x.size / x.shape[3] });
  return tf.batchNorm(x, mean, variance, p.beta, p.gamma, 1e-5);
}

/** Running statistics as PyTorch updates them (momentum 0.1, unbiased batch variance). */
function updateRunningStats(stats) {
  tf.tidy(() => {
    for (const { p, mean, variance, count } of stats) {
      p.mean.assign(p.mean.mul(0.9).add(mean.mul(0.1)));
      p.variance.assign(p.variance.mul(0.9).add(variance.mul((0.1 * count) / Math.max(count - 1, 1))));
    }
  });
  for (const s of stats) tf.dispose([s.mean, s.variance]);
  stats.length = 0;
}

/**
 * x (B, T, V, C) -> x[:, ::stride] with gradients (tfjs has no StridedSlice gradient): pad T to a multiple
 * of the stride, reshape to rank 4 (tfjs-backend-wasm's Slice is ~100x slower on rank 5), slice, reshape.
 */
function temporalSubsample(x, stride) {
  if (stride === 1) return x;
  const [b, t, v, c] = x.shape;
  const tOut = Math.ceil(t / stride);
  const padded =
    tOut * stride === t
      ? x
      : tf.pad(x, [
          [0, 0],
          [0, tOut * stride - t],
          [0, 0],
          [0, 0],
        ]);
  const picked = tf.slice(tf.reshape(padded, [b * tOut, stride, v, c]), [0, 0, 0, 0], [b * tOut, 1, v, c]);
  return tf.reshape(picked, [b, tOut, v, c]);
}

/** 1x1 convolution over channels last: (B, T, V, Cin) x (Cin, Cout) + bias. */
function conv1x1(x, w, b) {
  const [n, t, v, cin] = x.shape;
  return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [n * t * v, cin]), w), b), [n, t, v, w.shape[1]]);
}

const PAD = (KT - 1) / 2;
const TPAD = [
  [0, 0],
  [PAD, PAD],
  [0, 0],
  [0, 0],
];

/**
 * The 9x1 temporal conv with hand-written gradients (`--conv-grad manual`): the filter gradient as
 * im2col(padded input)^T @ dy (tfjs-backend-wasm has no
 * Conv2DBackpropFilter), the input gradient as a stride-1 tf.conv2d of dy, zero-interleaved for stride > 1,
 * with the flipped, transposed filter (tfjs-backend-wasm's Conv2DBackpropInput is a naive loop: ~11 s for
 * the 256-channel layer at B=16, against ~0.3 s for its forward Conv2D).
 */
function inputGrad(dy, w, t, stride) {
  const [b, tOut, v, cout] = dy.shape;
  const wt = tf.reverse(tf.transpose(w, [0, 1, 3, 2]), 0); // (KT, 1, Cout, Cin), taps reversed
  if (stride === 1) return tf.conv2d(dy, wt, 1, TPAD);
  const len = (tOut - 1) * stride + 1;
  const zeros = tf.zeros([b, tOut, stride - 1, v, cout]);
  const up = tf.slice(
    tf.reshape(tf.concat([tf.expandDims(dy, 2), zeros], 2), [b, tOut * stride, v, cout]),
    0,
    [b, len, v, cout],
  );
  return tf.conv2d(up, wt, 1, [
    [0, 0],
    [PAD, t - len + PAD],
    [0, 0],
    [0, 0],
  ]);
}

const temporalConvManual = new Map();
function temporalConvWithManualGrad(stride) {
  if (!temporalConvManual.has(stride)) {
    temporalConvManual.set(
      stride,
      tf.customGrad((x, w, save) => {
        save([x, w]);
        return {
          value: tf.conv2d(x, w, [stride, 1], TPAD),
          gradFunc: (dy, [xs, ws]) => {
            const [b, t, v, cin] = xs.shape;
            const [, tOut, , cout] = dy.shape;
            const dx = inputGrad(dy, ws, t, stride);
            // im2col of the padded input (room at the end for each tap's stride-s window), rank-4 slices
            // only, then one matMul with an explicit transpose (a transposed operand is ~15x slower in
            // tfjs-backend-wasm's BatchMatMul).
            const xp = tf.pad(xs, [
              [0, 0],
              [PAD, PAD + stride],
              [0, 0],
              [0, 0],
            ]);
            const taps = [];
            for (let j = 0; j < KT; j++) {
              let sl = tf.slice(xp, [0, j, 0, 0], [b, tOut * stride, v, cin]);
              if (stride > 1)
                sl = tf.slice(tf.reshape(sl, [b * tOut, stride, v, cin]), 0, [b * tOut, 1, v, cin]);
              taps.push(tf.reshape(sl, [b * tOut * v, cin]));
            }
            const cols = tf.transpose(tf.concat(taps, 1)); // (KT * Cin, B * Tout * V)
            const dw = tf.matMul(cols, tf.reshape(dy, [b * tOut * v, cout]));
            return [dx, tf.reshape(dw, ws.shape)];
          },
        };
      }),
    );
  }
  return temporalConvManual.get(stride);
}

function temporalConv(x, w, b, stride, training) {
  const y =
    training && convGrad === 'manual'
      ? temporalConvWithManualGrad(stride)(x, w)
      : tf.conv2d(x, w, [stride, 1], TPAD);
  return tf.add(y, b);
}

/** ConvTemporalGraphical: (B, T, V, Cin) -> 1x1 conv to K*Cout -> sum_k sum_v y_k[., v, c] A_k[v, w]. */
function gcn(x, blk, A) {
  const [n, t, v] = x.shape;
  const { cout } = blk;
  const y = conv1x1(x, blk.gcnW, blk.gcnB); // channel index k * Cout + c, as PyTorch's view(n, k, c, t, v)
  const a = tf.reshape(tf.transpose(tf.mul(A, blk.importance), [1, 0, 2]), [v * K, v]); // [v*K + k, w]
  const yt = tf.transpose(tf.reshape(y, [n * t, v * K, cout]), [0, 2, 1]); // (B*T, Cout, V*K)
  const z = tf.matMul(tf.reshape(yt, [n * t * cout, v * K]), a); // (B*T*Cout, W)
  return tf.reshape(tf.transpose(tf.reshape(z, [n * t, cout, v]), [0, 2, 1]), [n, t, v, cout]);
}

function block(x, blk, A, training, stats) {
  let res = null;
  if (blk.residual === 'identity') res = x;
  else if (blk.residual === 'conv')
    res = batchNorm(
      conv1x1(temporalSubsample(x, blk.stride), blk.resW, blk.resB),
      blk.resBn,
      training,
      stats,
    );
  let y = gcn(x, blk, A);
  y = tf.relu(batchNorm(y, blk.bn1, training, stats));
  y = batchNorm(temporalConv(y, blk.tcnW, blk.tcnB, blk.stride, training), blk.bn2, training, stats);
  if (training && blk.dropout > 0) y = tf.dropout(y, blk.dropout);
  return tf.relu(res ? tf.add(y, res) : y);
}

/** x (N, C, T, V, M) -> features (N, hiddenDim). */
function encode(model, x5, training, stats) {
  const [n, c, t, v, m] = x5.shape;
  let x = tf.transpose(x5, [0, 4, 2, 3, 1]); // (N, M, T, V, C): data_bn channel v * C + c, as PyTorch's
  x = batchNorm(tf.reshape(x, [n * m, t, 1, v * c]), model.dataBn, training, stats);
  x = tf.reshape(x, [n * m, t, v, c]);
  for (const blk of model.blocks) x = block(x, blk, model.A, training, stats);
  const pooled = tf.mean(x, [1, 2]); // (N*M, C)
  return tf.mean(tf.reshape(pooled, [n, m, pooled.shape[1]]), 1);
}

const logits = (model, x, training, stats) =>
  tf.add(tf.matMul(encode(model, x, training, stats), model.head.w), model.head.b);

// ---------------------------------------------------------------- workloads

function makeInput(b, seed) {
  return {
    x: tf.randomNormal([b, 3, frames, 25, persons], 0, 1, 'float32', seed),
    y: tf.oneHot(tf.randomUniform([b], 0, CLASSES, 'int32', seed + 1), CLASSES),
  };
}

function makeTrainStep(model) {
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const stats = [];
  return (input) => {
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(input.y, logits(model, input.x, true, stats)),
      true,
      model.params,
    );
    updateRunningStats(stats);
    const loss = cost.dataSync()[0];
    cost.dispose();
    return loss;
  };
}

function infer(model, x) {
  const out = tf.tidy(() => logits(model, x, false, null));
  out.dataSync();
  out.dispose();
}

function check(model) {
  const x = tf.randomNormal([2, 3, frames, 25, persons], 0, 1, 'float32', 7);
  const f = tf.tidy(() => encode(model, x, false, null));
  const l = tf.tidy(() => logits(model, x, false, null));
  const shapes = { features: f.shape, logits: l.shape };
  if (f.shape.join() !== `2,${features}` || l.shape.join() !== `2,${CLASSES}`)
    throw new Error(`forward shapes ${JSON.stringify(shapes)}`);
  tf.dispose([x, f, l]);
  const input = makeInput(2, 11);
  const step = makeTrainStep(model);
  const losses = [];
  const tensors = [];
  for (let i = 0; i < 6; i++) {
    losses.push(step(input));
    tensors.push(tf.memory().numTensors);
  }
  return { shapes, losses, decreased: losses.at(-1) < losses[0], tensors };
}

const model = buildModel(base, features, 1);
if (base === 16 && features === 256 && model.parameters !== PSTL_PARAMETERS)
  throw new Error(`ST-GCN-16 has ${model.parameters} parameters, expected ${PSTL_PARAMETERS}`);

/** Gradient kernels this model's training step needs that the backend lacks (known before running it). */
function missingGradKernels() {
  const needed = convGrad === 'native' ? ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] : [];
  return needed.filter((k) => !tf.getKernel(k, backendName));
}

const firstLine = (e) => String(e?.message ?? e).split('\n')[0];

if (values.check) {
  let r;
  const missing = missingGradKernels();
  if (missing.length)
    r = { error: `cannot train: no ${missing.join(', ')} kernel in tfjs-backend-${backendName}` };
  else {
    try {
      r = check(model);
    } catch (e) {
      r = { error: firstLine(e) };
    }
  }
  console.log(
    JSON.stringify({ engine: `tfjs-${backendName}`, backend: backendDescription, conv_grad: convGrad, ...r }),
  );
  process.exit(r.decreased ? 0 : 1);
}

// Training: median over trainSteps after trainWarmup steps; null with the reason where it cannot run.
let trainSamplesPerS = null;
let trainNote = null;
let trainMs = null;
const missing = missingGradKernels();
if (trainBatch === 0) {
  trainNote = 'skipped (--train-batch 0)';
} else if (missing.length) {
  trainNote = `cannot train as shipped: tfjs-backend-${backendName} ${tf.version['tfjs-core']} registers no ${missing.join(', ')} kernel (the 9x1 conv's filter gradient; --conv-grad manual works around it)`;
} else {
  const input = makeInput(trainBatch, 3);
  const step = makeTrainStep(model);
  try {
    for (let i = 0; i < trainWarmup; i++) step(input);
    trainMs = sampleMs(() => step(input), trainSteps);
    trainSamplesPerS = (trainBatch * 1000) / median(trainMs);
    const notes = [];
    if (trainBatch !== batch) notes.push(`timed at batch ${trainBatch}, not ${batch}`);
    if (trainWarmup === 0) notes.push('no warm-up step');
    if (trainSteps === 1) notes.push('a single timed step');
    if (convGrad === 'manual')
      notes.push('9x1 conv gradients hand-written (filter: im2col + matMul; input: conv2d of dy)');
    if (notes.length) trainNote = notes.join('; ');
  } catch (e) {
    trainNote = `cannot train: ${firstLine(e)}`;
  }
  tf.dispose([input.x, input.y]);
}

const xB = tf.randomNormal([batch, 3, frames, 25, persons], 0, 1, 'float32', 5);
const x1 = tf.randomNormal([1, 3, frames, 25, persons], 0, 1, 'float32', 6);
for (let i = 0; i < warmup; i++) infer(model, xB);
const inferMs = sampleMs(() => infer(model, xB), steps);
infer(model, x1); // the batch-1 warm-up is cheap on every backend: always one
const latencyMs = sampleMs(() => infer(model, x1), steps);

const row = {
  engine: `tfjs-${backendName}`,
  train_samples_per_s: trainSamplesPerS,
  train_note: trainNote,
  infer_samples_per_s: (batch * 1000) / median(inferMs),
  latency_ms_b1: median(latencyMs),
  backend: backendDescription,
  threads: 1,
  tfjs: tf.version.tfjs,
  conv_grad: convGrad,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  batch,
  frames,
  persons,
  parameters: model.parameters,
  head_parameters: model.headParameters,
  steps,
  warmup,
  train_batch: trainBatch,
  train_steps: trainSamplesPerS === null ? 0 : trainSteps,
  train_warmup: trainSamplesPerS === null ? 0 : trainWarmup,
  train_ms: trainMs,
  infer_ms: inferMs,
  latency_ms: latencyMs,
};
if (values.json) console.log(JSON.stringify(row));
else {
  const f = (x) => (x === null ? 'n/a' : x.toFixed(x >= 10 ? 1 : 3));
  console.log(
    `${row.engine}: ${backendDescription}, TF.js ${row.tfjs}, ${row.parameters} parameters (+${row.head_parameters} head)`,
  );
  console.log(`  train ${f(row.train_samples_per_s)} samples/s${trainNote ? ` (${trainNote})` : ''}`);
  console.log(
    `  infer ${f(row.infer_samples_per_s)} samples/s at batch ${batch}; latency ${f(row.latency_ms_b1)} ms at batch 1`,
  );
}
