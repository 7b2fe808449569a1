import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg } from '../src/report/svg-chart.js';
import { escapeXml, linearAxis, logAxis } from '../src/report/svg-util.js';

/**
 * Problems with XML well-formedness, checked the cheap way: every tag closes in order, attributes are
 * quoted, no stray '>' or '&' in text. Collected rather than asserted one by one (expect is slow in loops).
 */
function xmlProblems(svg: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  if (!svg.startsWith('<svg ')) problems.push('does not start with <svg');
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const text = svg.slice(i, lt === -1 ? svg.length : lt);
    if (/[&>]/.test(text.replace(/&(amp|lt|gt|quot|apos);/g, ''))) problems.push(`bad text ${text}`);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    if (m === null) return [...problems, `malformed tag at ${lt}: ${svg.slice(lt, lt + 60)}`];
    const [, close, name, , selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClose) stack.push(name!);
    i = tag.lastIndex;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}

/** Numbers in coordinate attributes and path data that are not finite. */
function coordinateProblems(svg: string): string[] {
  const problems = /NaN|Infinity/.test(svg) ? ['NaN or Infinity in the output'] : [];
  for (const [, v] of svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)"/g))
    if (!Number.isFinite(Number(v))) problems.push(`coordinate ${v}`);
  for (const [, d] of svg.matchAll(/\sd="([^"]*)"/g))
    for (const n of d!.split(/[ML ]+/).filter((s) => s !== ''))
      if (!Number.isFinite(Number(n))) problems.push(`path ${d}`);
  return problems;
}

function expectWellFormed(svg: string): void {
  expect(xmlProblems(svg)).toEqual([]);
}

function expectFiniteCoordinates(svg: string): void {
  expect(coordinateProblems(svg)).toEqual([]);
}

describe('lineChartSvg', () => {
  it('draws axes, a path per series, a legend and escaped text', () => {
    const svg = lineChartSvg({
      title: 'Loss <train> & "val"',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        {
          name: 'ASMa',
          points: [
            [0, 2],
            [1, 1.5],
            [2, 0.9],
          ],
        },
        {
          name: 'PSTL',
          points: [
            [0, 2.2],
            [1, 1.7],
            [2, 1.2],
          ],
        },
      ],
    });
    expectWellFormed(svg);
    expectFiniteCoordinates(svg);
    expect(svg).toContain('Loss &lt;train&gt; &amp; &quot;val&quot;');
    expect(svg).toContain('>ASMa</text>');
    expect(svg).toContain('>PSTL</text>');
    expect(svg.match(/<path /g)).toHaveLength(2);
    const strokes = [...svg.matchAll(/<path [^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(strokes).size).toBe(2);
    for (const tick of ['>0<', '>0.5<', '>1<', '>2<']) expect(svg).toContain(tick);
  });

  it('survives NaN, infinities, empty series, one point and no data', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'gappy',
          points: [
            [0, 1],
            [1, Number.NaN],
            [2, 3],
            [3, 4],
            [Number.POSITIVE_INFINITY, 1],
          ],
        },
        { name: 'empty', points: [] },
        { name: 'single', points: [[5, 5]] },
      ],
    });
    expectWellFormed(svg);
    expectFiniteCoordinates(svg);
    expect(svg.match(/<circle /g)).toHaveLength(2); // the point before the gap and the single point
    expect(svg).toContain('>empty</text>');
    const none = lineChartSvg({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [] });
    expectWellFormed(none);
    expect(none).toContain('no data');
    const flat = lineChartSvg({
      title: 'one',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'a', points: [[3, 7]] }],
    });
    expectFiniteCoordinates(flat);
  });

  it('logY uses decade ticks and skips values <= 0', () => {
    const svg = lineChartSvg({
      title: 'log',
      xLabel: 'step',
      yLabel: 'loss',
      logY: true,
      series: [
        {
          name: 'l',
          points: [
            [0, 100],
            [1, 0],
            [2, 1],
            [3, 0.01],
          ],
        },
      ],
    });
    expectWellFormed(svg);
    expectFiniteCoordinates(svg);
    for (const tick of ['>0.01<', '>1<', '>100<']) expect(svg).toContain(tick);
    expect(logAxis(2, 40).ticks).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('stays well-formed for arbitrary series (property)', () => {
    const num = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        0,
        1e300,
        5e-324,
        -1e-310,
      ),
    );
    const series = fc.array(
      fc.record({
        name: fc.string({ maxLength: 12 }),
        points: fc.array(fc.tuple(num, num), { maxLength: 12 }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(series, fc.boolean(), (s, logY) => {
        const svg = lineChartSvg({ title: 'p', xLabel: 'x', yLabel: 'y', series: s, logY });
        const missing = s
          .filter(({ name }) => !svg.includes(`>${escapeXml(name)}</text>`))
          .map((x) => x.name);
        expect([...xmlProblems(svg), ...coordinateProblems(svg), ...missing]).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('nice ticks are round numbers covering the data', () => {
    expect(linearAxis(0.13, 0.97).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearAxis(-3, 17).ticks).toEqual([-5, 0, 5, 10, 15, 20]);
    const a = linearAxis(0.1, 0.3);
    for (const t of a.ticks) expect(String(t).length).toBeLessThan(6); // no 0.30000000000000004
    // A range below float resolution must not loop on ticks that never advance.
    expect(linearAxis(1e17, 1e17 + 16).ticks.length).toBeLessThan(25);
    expect(linearAxis(1, 1 + 2e-16).ticks).toEqual([0.9, 0.95, 1, 1.05, 1.1]);
    expect(linearAxis(5e-324, 5e-324).ticks).toEqual([-1, -0.5, 0, 0.5, 1]); // denormal: 10 % of it is 0
    expect(() => lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series: [], width: 0 })).toThrow(
      /width must be a number of pixels in \[100, 10000\], got 0/,
    );
  });
});

describe('barChartSvg', () => {
  it('draws one bar per finite value with error bars and labels', () => {
    const svg = barChartSvg({
      title: 'Linear evaluation',
      yLabel: 'accuracy (%)',
      bars: [
        { label: 'ASMa', value: 81.2, error: 0.4 },
        { label: 'PSTL', value: 79.1 },
        { label: 'broken <run>', value: Number.NaN },
      ],
    });
    expectWellFormed(svg);
    expectFiniteCoordinates(svg);
    expect(svg.match(/<rect [^>]*fill="#(?!ffffff)/g)).toHaveLength(2);
    expect(svg).toContain('>81.2</text>');
    expect(svg).toContain('n/a');
    expect(svg).toContain('broken &lt;run&gt;');
    expect(svg.match(/<path /g)).toHaveLength(1); // one error bar
  });

  it('handles negative values, no bars and long labels', () => {
    for (const bars of [
      [],
      [
        { label: 'a', value: -2, error: 1 },
        { label: 'b', value: 3 },
      ],
      Array.from({ length: 12 }, (_, i) => ({ label: `a rather long method name ${i}`, value: i })),
      [{ label: 'zero', value: 0, error: Number.NaN }],
    ]) {
      const svg = barChartSvg({ title: 'b', bars });
      expectWellFormed(svg);
      expectFiniteCoordinates(svg);
    }
  });
});

describe('lineChartSvg: epochs, reference lines, flat curves', () => {
  const series = [
    {
      name: 'val',
      points: [
        [1, 100],
        [2, 100],
        [3, 100],
      ] as [number, number][],
    },
  ];

  it('integerX keeps whole-number ticks only (no 1.5 on a 3-epoch run)', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'epoch', yLabel: 'y', series, integerX: true });
    const xTicks = [...svg.matchAll(/text-anchor="middle">([\d.]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(xTicks.length).toBeGreaterThan(0);
    for (const t of xTicks) expect(Number.isInteger(t), String(t)).toBe(true);
  });

  it('draws a dashed reference line, widening the axis to show it', () => {
    const svg = lineChartSvg({
      title: 't',
      xLabel: 'epoch',
      yLabel: 'y',
      series,
      references: [{ y: 20, label: 'chance (20.0 %)' }],
    });
    expect(svg).toContain('data-reference="chance (20.0 %)"');
    expect(svg).toMatch(/>20<\/text>|>0<\/text>/);
  });

  it('a flat curve at the top of the axis is drawn inside the frame, not on it', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'x', yLabel: 'y', series, height: 400 });
    const frameTop = Number(
      svg.match(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="[\d.]+" fill="none"/)![1],
    );
    const pathY = Number(svg.match(/<path d="M[\d.]+ ([\d.]+)/)![1]);
    expect(pathY).not.toBe(frameTop);
    const rowY = [
      ...svg.matchAll(/<line x1="[\d.]+" y1="([\d.]+)" x2="[\d.]+" y2="\1" stroke="#e0e0e0"/g),
    ].map((m) => Number(m[1]));
    for (const y of rowY) expect(y).toBeGreaterThan(frameTop); // grid rows inset as well
  });
});
