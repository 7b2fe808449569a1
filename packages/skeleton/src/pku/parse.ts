import { quote, SkeletonEmptyError, SkeletonParseError } from '../errors.js';
import { LineCursor } from '../ntu/lines.js';
import { MAX_COORDINATE } from '../ntu/parse.js';

/** A PKU-MMD skeleton file: `frames` rows of 150 values (2 bodies x 25 joints x xyz). */
export interface PkuSkeleton {
  file: string;
  frames: number;
  /** frames x 150, row-major. */
  data: Float64Array;
}

/** One labelled action of a PKU-MMD video. */
export interface PkuAction {
  /** 0-based class (the file's 1-based label minus 1). */
  label: number;
  /** 1-based first frame, inclusive. */
  start: number;
  /** 1-based last frame, inclusive. */
  end: number;
  confidence: number;
  /** 1-based line in the label file. */
  line: number;
}

const VALUES = 150;

/** Parse a PKU-MMD skeleton file: one line per frame of exactly 150 finite numbers. */
export function parsePkuSkeleton(text: string, file = '<text>'): PkuSkeleton {
  const cur = new LineCursor(text, file);
  const rows: Float64Array[] = [];
  const names = Array.from(
    { length: VALUES },
    (_, i) => `body ${Math.floor(i / 75) + 1} joint ${Math.floor((i % 75) / 3) + 1} field '${'xyz'[i % 3]}'`,
  );
  while (cur.advance()) {
    if (cur.blank()) {
      cur.expectEnd(`frame ${rows.length + 1}`); // blank lines only at the end
      break;
    }
    const row = new Float64Array(VALUES);
    cur.numbersOfLine(row, `frame ${rows.length + 1}`, (i) => names[i]!);
    for (let i = 0; i < VALUES; i++)
      if (Math.abs(row[i]!) > MAX_COORDINATE)
        throw cur.rangeError(names[i]!, `a coordinate within +-${MAX_COORDINATE} m`, row[i]!);
    rows.push(row);
  }
  if (rows.length === 0) throw new SkeletonEmptyError(file, 1, 'frames', 'at least 1 frame', '0');
  const data = new Float64Array(rows.length * VALUES);
  for (let i = 0; i < rows.length; i++) data.set(rows[i]!, i * VALUES);
  return { file, frames: rows.length, data };
}

/**
 * Parse a PKU-MMD label file: lines `label,start,end,confidence` with a 1-based class in
 * 1..numClasses and 1-based inclusive frame numbers start <= end (AimCLR's
 * `pku_part1_skeleton.py` takes frames[start - 1 : end], i.e. end - start + 1 frames).
 */
export function parsePkuLabels(text: string, file = '<text>', numClasses = 51): PkuAction[] {
  const out: PkuAction[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '') return;
    const parts = t.split(',').map((s) => s.trim());
    if (parts.length !== 4)
      throw new SkeletonParseError(file, line, 'label line', "'label,start,end,confidence'", quote(t));
    const cur = new LineCursor('', file);
    cur.line = line;
    const label = cur.int(parts[0]!, 'label', 1, numClasses);
    const start = cur.int(parts[1]!, 'start', 1, Number.MAX_SAFE_INTEGER);
    const end = cur.int(parts[2]!, 'end', start, Number.MAX_SAFE_INTEGER);
    const confidence = cur.num(parts[3]!, 'confidence');
    out.push({ label: label - 1, start, end, confidence, line });
  });
  return out;
}

/** Raw (3, T, 25, 2) float32 clip of frames start..end (1-based, inclusive); longer than `maxFrames` keeps the centre. */
export function pkuClip(
  sk: PkuSkeleton,
  action: Pick<PkuAction, 'start' | 'end' | 'line'>,
  maxFrames = 300,
): { data: Float32Array; frames: number } {
  if (action.end > sk.frames)
    throw new SkeletonParseError(
      sk.file,
      0,
      `action at label line ${action.line} end`,
      `a frame in 1..${sk.frames}`,
      String(action.end),
    );
  let first = action.start - 1;
  let T = action.end - action.start + 1;
  if (T > maxFrames) {
    first += Math.floor((T - maxFrames) / 2);
    T = maxFrames;
  }
  const V = 25;
  const data = new Float32Array(3 * T * V * 2);
  for (let t = 0; t < T; t++) {
    const row = (first + t) * VALUES;
    for (let m = 0; m < 2; m++)
      for (let v = 0; v < V; v++)
        for (let c = 0; c < 3; c++) data[((c * T + t) * V + v) * 2 + m] = sk.data[row + m * 75 + v * 3 + c]!;
  }
  return { data, frames: T };
}

/** Train / validation video ids of a PKU-MMD split file. */
export interface PkuSplit {
  train: string[];
  val: string[];
}

const TRAIN_HEAD = /^\s*training videos\s*:/im;
const VAL_HEAD = /^\s*(?:validataion|validation|test(?:ing)?) videos\s*:/im;

/**
 * Parse a PKU-MMD split file as published (`cross-subject.txt`, `cross-view.txt`):
 * a line `Training videos:` then comma-separated ids (`0002-L, 0002-M, ...`), then a line
 * `Validataion videos:` (the published spelling; `Validation`/`Test videos:` also accepted) and
 * its ids. Ids may span several lines and may be separated by commas and/or whitespace.
 */
export function parsePkuSplit(text: string, file = '<text>'): PkuSplit {
  const tr = TRAIN_HEAD.exec(text);
  const va = VAL_HEAD.exec(text);
  if (!tr) throw new SkeletonParseError(file, 0, 'header', "a 'Training videos:' line", 'none');
  if (!va) throw new SkeletonParseError(file, 0, 'header', "a 'Validataion videos:' line", 'none');
  if (va.index < tr.index)
    throw new SkeletonParseError(
      file,
      0,
      'header',
      "'Training videos:' before 'Validataion videos:'",
      'the reverse order',
    );
  const ids = (s: string) => s.split(/[\s,]+/).filter((x) => x !== '');
  const train = ids(text.slice(tr.index + tr[0].length, va.index));
  const val = ids(text.slice(va.index + va[0].length));
  for (const id of [...train, ...val])
    if (!/^[\w.-]+$/.test(id))
      throw new SkeletonParseError(file, 0, 'video id', 'an id such as 0002-L', quote(id));
  return { train, val };
}
