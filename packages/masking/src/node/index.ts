// Node-only: a clip read from an .npy file and its masks drawn to an .svg file. Kept out of the main
// entry so that browser bundles of '@asma/masking' reach no node: module.
export { type MasksPictureOptions, readClip, writeMasksPicture } from './picture.js';
