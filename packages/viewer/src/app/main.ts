/**
 * The viewer page: loads a clip and the student, animates the skeleton, draws what ASMa's two views
 * mask and shows the student's top-5. State for tests lives on window.__asma; window.__asmaReady
 * turns true once the first clip is drawn and classified.
 */
import type { NpyArray, SkeletonBatch } from '@asma/skeleton';
import { activeBodies, clipBounds, decodeClipFile, extractClip, framePoints } from '../core/clip.js';
import { type Playback, playback, seek, setPlaying, step, tick } from '../core/frames.js';
import { type LoadedClassifier, loadClassifierBytes } from '../core/model.js';
import { defaultCamera, type OrbitCamera, orbit, zoom } from '../core/projection.js';
import { type ClipViews, clipViews, type ViewPicture } from '../core/views.js';
import { chooseBackend } from './backend.js';
import { fetchBytes, loadConfig } from './config.js';
import { byId, context2d, within } from './dom.js';
import type { Exposed } from './exposed.js';
import { predict, renderPrediction } from './predict.js';
import { drawSkeleton, drawStrip } from './render.js';

const el = {
  file: byId('file', HTMLInputElement),
  index: byId('index', HTMLInputElement),
  source: byId('source', HTMLElement),
  error: byId('error', HTMLElement),
  canvas: byId('skeleton', HTMLCanvasElement),
  play: byId('play', HTMLButtonElement),
  scrub: byId('scrub', HTMLInputElement),
  frame: byId('frame', HTMLElement),
  top5: byId('top5', HTMLOListElement),
  latency: byId('latency', HTMLElement),
  backend: byId('backend', HTMLElement),
  modelInfo: byId('model-info', HTMLElement),
  truth: byId('truth', HTMLElement),
  views: [byId('view-a', HTMLElement), byId('view-b', HTMLElement)] as const,
};
const ctx = context2d(el.canvas);
const viewCtx = el.views.map((v) => ({
  skeleton: context2d(within(v, '.view-skeleton', HTMLCanvasElement)),
  strip: context2d(within(v, '.strip', HTMLCanvasElement)),
  masked: within(v, '.masked', HTMLElement),
}));

let classifier: LoadedClassifier | null = null;
let clips: { arr: NpyArray; name: string; labels: number[] | null } | null = null;
let clip: SkeletonBatch | null = null;
let views: ClipViews | null = null;
let bodies: number[] = [0];
let play: Playback = playback(1);
let cam: OrbitCamera = defaultCamera();
const exposed: Exposed = {
  frame: 0,
  frames: 0,
  playing: false,
  clipIndex: 0,
  top5: [],
  classified: -1,
  latencyMs: 0,
  backend: '',
  backendLabel: '',
  error: '',
};
window.__asma = exposed;

function showError(message: string): void {
  exposed.error = message;
  el.error.textContent = message;
}

function viewText(v: ViewPicture): string {
  const dropped = v.frames.filter((s) => s !== 'kept').length;
  return `masked joints ${v.maskedJoints.map((j) => j + 1).join(', ') || 'none'} (1-based); ${dropped} of ${v.frames.length} frames dropped`;
}

function draw(): void {
  if (!clip || !views) return;
  const f = play.frame;
  const pts = bodies.map((b) => framePoints(clip!, f, b));
  drawSkeleton(ctx, pts, cam, { radius: views.degree.map((d) => 2 + d) });
  const radius = views.degree.map((d) => 1.5 + 1.5 * d);
  [views.a, views.b].forEach((v, i) => {
    const c = viewCtx[i]!;
    // The panels are smaller: come closer so the body fills them.
    const near = { ...cam, distance: cam.distance * 0.85 };
    drawSkeleton(c.skeleton, pts.slice(0, 1), near, { masked: new Set(v.maskedJoints), radius });
    drawStrip(c.strip, v.frames, views!.energy, f);
  });
  el.scrub.value = String(f);
  el.frame.textContent = `frame ${f + 1} / ${play.frames}`;
  el.play.textContent = play.playing ? 'pause' : 'play';
  exposed.frame = f;
  exposed.frames = play.frames;
  exposed.playing = play.playing;
}

/** Inference runs asynchronously (a GPU readback): only the latest request's result is shown. */
let latest = 0;
async function classify(): Promise<void> {
  if (!classifier || !clip) return;
  const ticket = ++latest;
  const [shown, index] = [clip, exposed.clipIndex];
  try {
    const p = await predict(classifier, shown);
    if (ticket !== latest) return;
    renderPrediction(el.top5, el.latency, p, shown.shape[2], exposed.backendLabel);
    exposed.top5 = p.top5;
    exposed.latencyMs = p.latencyMs;
    exposed.classified = index;
  } catch (err) {
    if (ticket === latest) showError(`inference failed: ${(err as Error).message}`);
  }
}

/** Show clip `index` of the loaded file; a bad index keeps the current clip and says why. */
function selectClip(index: number): Promise<void> {
  if (!clips) return Promise.resolve();
  try {
    const next = extractClip(clips.arr, index, clips.name);
    clip = next;
    views = clipViews(next, index);
    const active = activeBodies(next);
    bodies = active.length > 0 ? active : [0];
    const { centre, radius } = clipBounds(next);
    cam = { ...defaultCamera(centre), yaw: cam.yaw, pitch: cam.pitch, distance: Math.max(1.5, radius * 2.6) };
    play = { ...playback(next.shape[2]), playing: play.playing };
    el.scrub.max = String(next.shape[2] - 1);
    el.index.value = String(index);
    exposed.clipIndex = index;
    viewCtx[0]!.masked.textContent = viewText(views.a);
    viewCtx[1]!.masked.textContent = viewText(views.b);
    const label = clips.labels?.[index];
    el.truth.textContent =
      label !== undefined && classifier ? `true class: ${classifier.classNames[label] ?? label}` : '';
    showError('');
    draw();
    return classify();
  } catch (err) {
    showError((err as Error).message);
    return Promise.resolve();
  }
}

function loadClips(bytes: Uint8Array, name: string, labels: number[] | null, index = 0): Promise<void> {
  const arr = decodeClipFile(bytes, name);
  // Validate the layout with clip 0 before replacing what is shown.
  extractClip(arr, Math.min(index, Math.max(0, (arr.shape[0] ?? 1) - 1)), name);
  clips = { arr, name, labels };
  el.index.max = String(arr.shape[0]! - 1);
  el.source.textContent = `${name}: ${arr.shape[0]} clip(s) of ${arr.shape[2]} frames`;
  return selectClip(index);
}

function wireControls(): void {
  el.play.addEventListener('click', () => {
    play = setPlaying(play, !play.playing);
    draw();
  });
  el.scrub.addEventListener('input', () => {
    play = seek(play, Number(el.scrub.value));
    draw();
  });
  el.index.addEventListener('change', () => void selectClip(Number(el.index.value)));
  el.file.addEventListener('change', async () => {
    const f = el.file.files?.[0];
    if (!f) return;
    try {
      await loadClips(new Uint8Array(await f.arrayBuffer()), f.name, null);
    } catch (err) {
      showError((err as Error).message);
    }
  });
  let drag: { x: number; y: number } | null = null;
  el.canvas.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY };
    el.canvas.setPointerCapture(e.pointerId);
  });
  el.canvas.addEventListener('pointermove', (e) => {
    if (!drag) return;
    cam = orbit(cam, e.clientX - drag.x, e.clientY - drag.y);
    drag = { x: e.clientX, y: e.clientY };
    draw();
  });
  el.canvas.addEventListener('pointerup', () => {
    drag = null;
  });
  el.canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      cam = zoom(cam, e.deltaY);
      draw();
    },
    { passive: false },
  );
  window.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement && e.target.type !== 'range') return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') play = step(play, e.key === 'ArrowRight' ? 1 : -1);
    else if (e.key === ' ') play = setPlaying(play, !play.playing);
    else return;
    e.preventDefault();
    draw();
  });
}

function animate(): void {
  let last = performance.now();
  const loop = (now: number) => {
    const before = play.frame;
    play = tick(play, now - last);
    last = now;
    if (play.frame !== before) draw();
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

async function boot(): Promise<void> {
  wireControls();
  const config = await loadConfig();
  const backend = await chooseBackend();
  exposed.backend = backend.kind;
  exposed.backendLabel = backend.label;
  el.backend.textContent = `inference on ${backend.label}`;
  const model = await fetchBytes(config.model);
  classifier = loadClassifierBytes(model, config.model);
  el.modelInfo.textContent = `${config.model}: ST-GCN student, ${classifier.model.encoder.plan.length} blocks, ${classifier.parameters.toLocaleString('en')} parameters, ${classifier.classNames.length} classes`;
  let labels: number[] | null = null;
  if (config.labels) {
    const res = await fetch(config.labels).catch(() => null);
    if (res?.ok) labels = ((await res.json()) as { labels?: number[] }).labels ?? null;
  }
  await loadClips(await fetchBytes(config.data), config.data, labels, config.index);
  animate();
  window.__asmaReady = true;
}

boot().catch((err: Error) => {
  showError(`could not start: ${err.message}`);
  window.__asmaReady = false;
});
