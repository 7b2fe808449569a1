// A distilled classifier saved as a safetensors checkpoint with its architecture.
import { type ActionClassifier, architectureOf, STGCN_METADATA_KEY } from '@asma/trainer';
import { saveCheckpoint } from '@asma/trainer/node';

/** A classifier checkpoint that `asma eval` and loadStGcn(prefix 'encoder.') can rebuild; `metadata` adds entries (e.g. class names). */
export function saveClassifier(
  model: ActionClassifier,
  path: string,
  metadata: Record<string, string> = {},
): void {
  saveCheckpoint(model, path, {
    ...metadata,
    [STGCN_METADATA_KEY]: JSON.stringify(architectureOf(model.encoder)),
    'asma.classes': String(model.fc.outFeatures),
  });
}
