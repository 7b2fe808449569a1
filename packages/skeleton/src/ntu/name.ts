import { quote, SkeletonParseError } from '../errors.js';

/** Metadata encoded in an NTU file name SsssCcccPpppRrrrAaaa(.skeleton). */
export interface NtuName {
  /** The name without directory and extension, e.g. S001C002P003R002A013. */
  name: string;
  setup: number;
  camera: number;
  subject: number;
  replication: number;
  action: number;
  /** 0-based class: action - 1. */
  label: number;
}

const PATTERN = /^S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})(?:\.skeleton)?$/;

/** Parse and validate an NTU file name (setup 1..32, camera 1..3, subject 1..106, replication 1..2, action 1..120). */
export function parseNtuName(fileName: string): NtuName {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1);
  const m = PATTERN.exec(base);
  if (!m) throw new SkeletonParseError(base, 0, 'file name', "'SsssCcccPpppRrrrAaaa.skeleton'", quote(base));
  const [setup, camera, subject, replication, action] = m.slice(1, 6).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const check = (field: string, v: number, max: number) => {
    if (v < 1 || v > max) throw new SkeletonParseError(base, 0, `file name ${field}`, `1..${max}`, String(v));
  };
  check('setup', setup, 32);
  check('camera', camera, 3);
  check('subject', subject, 106);
  check('replication', replication, 2);
  check('action', action, 120);
  return {
    name: base.replace(/\.skeleton$/, ''),
    setup,
    camera,
    subject,
    replication,
    action,
    label: action - 1,
  };
}
