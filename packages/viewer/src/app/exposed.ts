/** What the page exposes for tests and the console: window.__asma (live state) and window.__asmaReady. */
import type { Ranked } from '../core/topk.js';

export interface Exposed {
  frame: number;
  frames: number;
  playing: boolean;
  clipIndex: number;
  top5: Ranked[];
  /** The clip whose top-5 is shown (-1 before the first; inference is asynchronous). */
  classified: number;
  latencyMs: number;
  /** Where inference runs: 'webgpu' or 'cpu', and the text the page shows for it. */
  backend: string;
  backendLabel: string;
  /** The error text shown in the page ('' when none). */
  error: string;
}

declare global {
  interface Window {
    __asma?: Exposed;
    /** true once the first clip is drawn and classified; false if the page could not start. */
    __asmaReady?: boolean;
  }
}
