/**
 * The page's sample clips: one held-out clip (a cross-subject validation subject) per class of the
 * synthetic benchmark, so the student never saw them. Deterministic for a seed.
 */
import { encodeNpy, generateSynthetic, isTrainClip } from '@asma/skeleton';

export interface SampleClips {
  /** .npy bytes of (classes, 3, 50, 25, 2) float32 clips. */
  npy: Uint8Array;
  labels: number[];
  classNames: string[];
}

export function sampleClips(seed = 0): SampleClips {
  // 10 subjects: subjects 3, 6, 7 and 10 are validation subjects under xsub.
  const ds = generateSynthetic({ seed, samplesPerClass: 3, subjects: 10 });
  const [, c, t, v, m] = ds.shape;
  const per = c * t * v * m;
  const picked: number[] = [];
  for (let k = 0; k < ds.classNames.length; k++) {
    for (let i = 0; i < ds.labels.length; i++) {
      if (ds.labels[i] === k && !isTrainClip('xsub', ds.subjects[i]!, ds.cameras[i]!)) {
        picked.push(i);
        break;
      }
    }
  }
  const data = new Float32Array(picked.length * per);
  picked.forEach((i, row) => {
    data.set(ds.data.subarray(i * per, (i + 1) * per), row * per);
  });
  return {
    npy: encodeNpy(data, [picked.length, c, t, v, m]),
    labels: picked.map((i) => ds.labels[i]!),
    classNames: [...ds.classNames],
  };
}
