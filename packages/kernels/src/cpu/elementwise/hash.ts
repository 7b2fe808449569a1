/**
 * Dropout's counter-based draws: element i of a call keyed by `key` draws
 * lowbias32(i * 0x9e3779b9 + key) (a Weyl sequence through Chris Wellons' lowbias32 mixer, a bijection
 * on 32 bits). Unlike a sequential generator, any range of elements can be drawn on its own, four at a
 * time in SIMD lanes or on several threads, with the same bits.
 */
export const DROPOUT_GOLDEN = 0x9e3779b9;
export const DROPOUT_MIX1 = 0x7feb352d;
export const DROPOUT_MIX2 = 0x846ca68b;

/** The draw of element `index` for `key` (uint32). */
export function dropoutHash(key: number, index: number): number {
  let h = (Math.imul(index, DROPOUT_GOLDEN) + key) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, DROPOUT_MIX1);
  h ^= h >>> 15;
  h = Math.imul(h, DROPOUT_MIX2);
  h ^= h >>> 16;
  return h >>> 0;
}
