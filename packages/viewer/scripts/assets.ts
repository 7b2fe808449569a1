/** Build step: the site's data files (sample clips with their labels, config.json). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleClips } from '../src/core/sample.js';

export function writeAssets(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const s = sampleClips(0);
  writeFileSync(join(outDir, 'sample.npy'), s.npy);
  writeFileSync(join(outDir, 'sample.json'), `${JSON.stringify({ labels: s.labels, classNames: s.classNames })}\n`);
  const config = { data: 'sample.npy', labels: 'sample.json', model: 'model.safetensors', index: 0 };
  writeFileSync(join(outDir, 'config.json'), `${JSON.stringify(config)}\n`);
}
