/** Which files the page loads: config.json next to index.html (asma view rewrites it), else defaults. */
export interface SiteConfig {
  /** Clips .npy, (N, 3, T, 25, M). */
  data: string;
  /** Optional JSON { labels: number[] } for the clips (the sample's true classes). */
  labels: string | null;
  model: string;
  index: number;
}

export const DEFAULT_CONFIG: SiteConfig = {
  data: 'sample.npy',
  labels: 'sample.json',
  model: 'model.safetensors',
  index: 0,
};

export async function loadConfig(): Promise<SiteConfig> {
  const res = await fetch('config.json').catch(() => null);
  if (!res?.ok) return DEFAULT_CONFIG;
  const raw = (await res.json()) as Partial<SiteConfig>;
  return { ...DEFAULT_CONFIG, ...raw };
}

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}
