/** What the page exposes for tests and the console: window.__asma (live state) and window.__asmaReady. */
import type { Ranked } from '../core/topk.js';

export interface Exposed {
  frame: number;
  frames: number;
  playing: boolean;
  clipIndex: number;
  top5: Ranked[];
  latencyMs: number;
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
