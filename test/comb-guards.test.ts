// Ways a comb box's cut can lose writing while every box reads sure, each found on the bench as a wrong value
// accepted, and each now sending the field to a person (src/recognition/read-page.ts):
//  - an empty box before a written one, in a comb written from the left: a 1 written on the printed line between
//    two boxes was erased with the line, and "152" read as " 52" (gapBeforeWriting);
//  - a decimal with its units or a tenth empty: a 7 written against the comb's end line was erased with it, and
//    7.6 read as "  6" (decimalPartMissing);
//  - faint ink beside a written box that the classifier could not read as one sure character: a 1 written on the
//    line after a 2 was erased with it, and "21" read as "2 " (faintBesideWriting);
//  - writing that runs out of the box over its top or bottom line: the cell is cut at the line, and a 9 written
//    high, its loop above the line, read as 7, or a 7 with its bar drawn on the top line as 1 (cutCell's
//    CutReport.spill, which follows the writing through the line);
//  - a field read empty with writing on a box's side line: a 1 written hard against the line lies in the margin the
//    ink test leaves out and is erased with the line, and "1" read as blank, shown to nobody (sideLineWidened).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoxAlternative } from '../src/recognition/box-classifier.ts';
import { decideField } from '../src/record/acceptance.ts';
import { normaliseField } from '../src/record/normalise.ts';
import { cutCell, type CutReport } from '../src/recognition/cell-image.ts';
import { faintBesideWriting, locateCombs, type CombLine } from '../src/recognition/read-page.ts';
import { sideLineWidened } from '../src/imaging/boxes.ts';
import { combBoxes, decimalPartMissing, gapBeforeWriting } from '../src/template/geometry.ts';
import { createGray, type GrayImage } from '../src/imaging/gray.ts';
import { loadTemplate } from '../src/template/load.ts';

const template = loadTemplate('standard-prf');
const field = (id: string) => template.fields.find((f) => f.id === id)!;
/** Boxes as the reader leaves them: ' ' an empty box (no ink), '' the noise class, else a character. */
const boxes = (s: string): BoxAlternative[][] => [...s].map((c) => [{ char: c === '_' ? '' : c, p: 0.999 }]);

describe('an empty box before writing', () => {
  it('flags digits, times and dates with an empty box before a written one', () => {
    expect(gapBeforeWriting(field('obs1.sbp'), ' 52')).toBe(true);
    expect(gapBeforeWriting(field('obs1.sbp'), '1 2')).toBe(true);
    expect(gapBeforeWriting(field('time.atscene'), '08 5')).toBe(true);
    expect(gapBeforeWriting(field('patient.dob'), ' 1031985')).toBe(true);
  });

  it('flags a dose with an empty box inside it (its point or a digit lost), not one ending in empty boxes', () => {
    expect(gapBeforeWriting(field('drug1.dose'), '5 MG  ')).toBe(true);
    expect(gapBeforeWriting(field('drug1.dose'), '2 5MG ')).toBe(true);
    expect(gapBeforeWriting(field('drug1.dose'), '2.5MG ')).toBe(false);
    expect(gapBeforeWriting(field('drug1.name'), 'GTN SL     ')).toBe(false); // a name's words may be spaced
  });

  it('leaves alone a field filled from the left, a blank field, a noise box, and a decimal (its whole part is right-aligned)', () => {
    expect(gapBeforeWriting(field('obs1.sbp'), '97 ')).toBe(false);
    expect(gapBeforeWriting(field('obs1.sbp'), '   ')).toBe(false);
    expect(gapBeforeWriting(field('obs1.sbp'), '?52')).toBe(false); // a noise box is not an empty one
    expect(gapBeforeWriting(field('obs1.bm'), ' 56')).toBe(false);
    expect(gapBeforeWriting(field('patient.surname'), 'VAN DYKE' + ' '.repeat(12))).toBe(false);
  });

  it('never flags a reading written from the first box with no gap (any length, any trailing blanks)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{0,10}$/), fc.nat(10), (digits, trailing) => {
        expect(gapBeforeWriting(field('incident.number'), digits + ' '.repeat(trailing))).toBe(false);
      }),
    );
  });
});

describe('a decimal missing its units or a tenth', () => {
  it('flags a fraction with no units, and a whole part with no tenth (a 7 lost on the comb\'s line)', () => {
    expect(decimalPartMissing(field('obs1.bm'), '  6')).toBe(true); // 7.6 read as .6
    expect(decimalPartMissing(field('obs1.bm'), '7 6')).toBe(true);
    expect(decimalPartMissing(field('obs2.temp'), '36 ')).toBe(true); // 36.7 read as 36
  });

  it('leaves alone a blank decimal, one written in full, a one-digit whole part, and every other type', () => {
    expect(decimalPartMissing(field('obs1.bm'), '   ')).toBe(false);
    expect(decimalPartMissing(field('obs1.bm'), ' 56')).toBe(false);
    expect(decimalPartMissing(field('obs2.temp'), '367')).toBe(false);
    expect(decimalPartMissing(field('obs1.sbp'), '97 ')).toBe(false);
  });

  it('flags exactly the decimals with writing and an empty box from the units on', () => {
    const bm = field('obs1.bm');
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9 ]{3}$/), (s) => {
        const written = s.trim() !== '';
        expect(decimalPartMissing(bm, s)).toBe(written && (s[1] === ' ' || s[2] === ' '));
      }),
    );
  });
});

describe('faint ink left unread beside writing', () => {
  type Ink = CombLine['ink'][number];
  const ink = (s: string): Ink[] => [...s].map((c) => (c === 'f' ? 'faint' : c === 'i' ? 'ink' : 'blank'));

  it('flags a faint box read as blank next to a written one, on either side', () => {
    expect(faintBesideWriting(ink('if'), boxes('2 '))).toBe(true);
    expect(faintBesideWriting(ink('fi'), boxes(' 5'))).toBe(true);
    expect(faintBesideWriting(ink('ifb'), boxes('2  '))).toBe(true);
  });

  it('leaves alone a faint box the classifier read, faint specks away from the writing, and a field with no faint box', () => {
    expect(faintBesideWriting(ink('if'), boxes('21'))).toBe(false);
    expect(faintBesideWriting(ink('iibf'), boxes('21  '))).toBe(false);
    expect(faintBesideWriting(ink('ff'), boxes('  '))).toBe(false);
    fc.assert(
      fc.property(fc.array(fc.constantFrom<Ink>('ink', 'blank'), { minLength: 1, maxLength: 10 }), (marks) => {
        const read = boxes(marks.map((m) => (m === 'ink' ? '7' : ' ')).join(''));
        expect(faintBesideWriting(marks, read)).toBe(false);
      }),
    );
  });
});

/** A page region with one comb box printed (lines 2 px, ink 20) at (20, 20), 48 x 56 px inside: 6 x 7 mm at 8 a mm. */
function boxPage(): { page: GrayImage; box: { x: number; y: number; w: number; h: number } } {
  const page = createGray(100, 100);
  const rect = (x0: number, y0: number, x1: number, y1: number, v = 20) => {
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) page.data[y * page.width + x] = v;
  };
  rect(19, 19, 70, 20); // top line
  rect(19, 77, 70, 78); // bottom line
  rect(19, 19, 20, 78); // left line
  rect(69, 19, 70, 78); // right line
  return { page, box: { x: 20, y: 20, w: 49, h: 57 } };
}
const cutReport = (page: GrayImage, box: { x: number; y: number; w: number; h: number }) => {
  const report: CutReport = { spill: -1, runsOut: true };
  cutCell(page, box, 128, report);
  return report;
};
const spillOf = (page: GrayImage, box: { x: number; y: number; w: number; h: number }) => cutReport(page, box).spill;
const stroke = (page: GrayImage, x0: number, y0: number, x1: number, y1: number) => {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) page.data[y * page.width + x] = 30;
};

describe('writing cut off at the box line', () => {
  it('counts the ink beyond the top line that joins the writing inside (a loop written high)', () => {
    const { page, box } = boxPage();
    stroke(page, 40, 14, 42, 60); // a stem from above the top line down into the box
    stroke(page, 40, 14, 55, 16); // and the top of a loop above the line
    expect(spillOf(page, box)).toBeGreaterThanOrEqual(8);
  });

  it('counts the part above the line of a 7\'s bar drawn on the top line, though the bar widens the band the cut erases', () => {
    const { page, box } = boxPage();
    stroke(page, 30, 15, 60, 21); // a thick bar lying on the top line (rows 19-20) and above it
    stroke(page, 56, 21, 59, 60); // the stem, inside the box
    expect(spillOf(page, box)).toBeGreaterThanOrEqual(8);
  });

  it('counts nothing for writing inside the box, a stroke only touching the line, or a printed label above it', () => {
    const inside = boxPage();
    stroke(inside.page, 40, 30, 42, 60);
    expect(spillOf(inside.page, inside.box)).toBe(0);
    const touching = boxPage();
    stroke(touching.page, 40, 21, 42, 60);
    expect(spillOf(touching.page, touching.box)).toBe(0);
    const label = boxPage();
    stroke(label.page, 30, 13, 50, 15); // printed above, joined to nothing in the box
    stroke(label.page, 40, 30, 42, 60);
    expect(spillOf(label.page, label.box)).toBe(0);
    for (const c of [inside, touching, label]) expect(cutReport(c.page, c.box).runsOut).toBe(false);
  });

  it('says writing runs out when it goes on past the region looked at, though few of its pixels are in it (an 8 written above the box)', () => {
    const { page, box } = boxPage();
    // A thin stroke from far above the box down into it: the region holds only a few of its pixels above the line.
    stroke(page, 45, 0, 45, 50);
    const r = cutReport(page, box);
    expect(r.spill).toBeLessThan(8);
    expect(r.runsOut).toBe(true);
    // The same stroke stopping two pixels above the line stays in the region: it is counted, and does not run out.
    const short = boxPage();
    stroke(short.page, 45, 16, 45, 50);
    expect(cutReport(short.page, short.box).runsOut).toBe(false);
  });

  it('counts nothing on grey, grainy paper (a phone photo) whose grain joins the lines to specks all round', () => {
    const { page, box } = boxPage();
    // Paper grain lighter than the ink cut-off (128) but darker than the paper cut-off (153), everywhere off the lines.
    for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) if (page.data[y * 100 + x] === 255) page.data[y * 100 + x] = (x * 7 + y * 13) % 3 ? 250 : 140;
    stroke(page, 40, 21, 42, 60); // writing touching the top line
    stroke(page, 30, 17, 31, 18); // a 4-pixel speck of ink touching the line from above
    stroke(page, 50, 79, 51, 80); // and one from below
    expect(spillOf(page, box)).toBe(0);
    stroke(page, 40, 10, 42, 18); // a real stroke on through the line: counted
    expect(spillOf(page, box)).toBeGreaterThanOrEqual(8);
  });

  it("counts a loop's top lying on the line just above its dark rows (a 9 written high, on a thin blurred line)", () => {
    const { page, box } = boxPage();
    for (let x = 19; x <= 70; x++) page.data[19 * 100 + x] = 200; // the line's blur: paper at the ink cut-off
    stroke(page, 36, 19, 52, 19); // the loop's top, the row just above the line's dark row (20)
    stroke(page, 36, 19, 37, 34); // its sides, down into the box
    stroke(page, 51, 19, 52, 60); // and the stem
    expect(spillOf(page, box)).toBeGreaterThanOrEqual(8);
  });

  it('leaves ink over a side line to the neighbouring box', () => {
    const { page, box } = boxPage();
    stroke(page, 60, 40, 76, 42); // a stroke crossing the right line into the next box
    expect(spillOf(page, box)).toBe(0);
  });
});

describe('the reason a guarded field gives', () => {
  it('says what to look for, not a confidence of 0% against a threshold', () => {
    const f = field('obs1.sbp');
    const verdict = decideField(f, normaliseField(f, ' 52'), 0, [], { digits: 0.99 });
    expect(verdict.status).toBe('needs-review');
    expect(verdict.reasons.map((r) => r.code)).toEqual(['low-confidence']);
    expect(verdict.reasons[0]!.message).toMatch(/could not vouch for every box/);
    expect(verdict.reasons[0]!.message).not.toMatch(/0%/);
    // A reading merely under its threshold keeps the calibrated figure.
    expect(decideField(f, normaliseField(f, '152'), 0.9, [], { digits: 0.99 }).reasons[0]!.message).toMatch(/\(90%\) is below the 99%/);
  });
});

describe('a confidence against its threshold, in words', () => {
  it('never prints the two as the same percentage', async () => {
    const { percentBelow } = await import('../src/record/acceptance.ts');
    expect(percentBelow(0.9925, 0.9936)).toEqual({ below: '99.2', limit: '99.4' });
    expect(percentBelow(0.42, 0.9)).toEqual({ below: '42', limit: '90' });
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const [c, t] = a < b ? [a, b] : [b, a];
        fc.pre(t - c > 1e-4);
        const { below, limit } = percentBelow(c, t);
        expect(Number(below)).toBeLessThan(Number(limit));
      }),
    );
  });
});

describe('writing on a side line of a field that looks empty', () => {
  // A canonical page (8 px a mm) with one field's comb drawn as the form prints it: grey lines 2 px wide.
  const PPM = 8;
  function page(f: ReturnType<typeof field>, lineWidth = 2): { img: GrayImage; boxes: { x: number; y: number; w: number; h: number }[] } {
    const img = createGray(Math.round(template.pageSize.widthMm * PPM), Math.round(template.pageSize.heightMm * PPM));
    const boxes = combBoxes(f).map((z) => ({ x: z.x * PPM, y: z.y * PPM, w: z.w * PPM, h: z.h * PPM }));
    const fill = (x0: number, y0: number, w: number, h: number, v: number) => {
      for (let y = Math.round(y0); y < Math.round(y0 + h); y++) for (let x = Math.round(x0); x < Math.round(x0 + w); x++) img.data[y * img.width + x] = v;
    };
    const half = lineWidth / 2;
    for (const b of boxes) {
      fill(b.x - half, b.y - half, b.w + lineWidth, lineWidth, 110);
      fill(b.x - half, b.y + b.h - half, b.w + lineWidth, lineWidth, 110);
      fill(b.x - half, b.y - half, lineWidth, b.h + lineWidth, 110);
      fill(b.x + b.w - half, b.y - half, lineWidth, b.h + lineWidth, 110);
    }
    return { img, boxes };
  }
  const threshold = 150;

  it('a 1 written hard against the right line of a one-box field: the field is a person\'s, not blank', () => {
    const f = field('obs1.gcse');
    const { img, boxes } = page(f);
    const b = boxes[0]!;
    // The stroke of a 1, 3 px wide, touching the line from inside, two thirds of the box high.
    for (let y = Math.round(b.y + b.h * 0.2); y < Math.round(b.y + b.h * 0.85); y++) for (let x = Math.round(b.x + b.w - 4); x < Math.round(b.x + b.w - 1); x++) img.data[y * img.width + x] = 40;
    const [line] = [...locateCombs(img, [f], threshold, threshold).values()].flat();
    expect(line!.ink).toEqual(['blank']); // the ink test's margin leaves it out
    expect(line!.sideInk).toEqual([true]);
    expect(sideLineWidened(img, b, threshold)).toBe(true);
    expect(normaliseField(f, '?').findings.map((x) => x.code)).toContain('field-illegible');
  });

  it('an empty comb, whatever the width of its printed lines, is left empty', () => {
    fc.assert(
      fc.property(fc.constantFrom('obs1.gcse', 'obs1.news2', 'obs2.time', 'patient.postcode'), fc.integer({ min: 1, max: 4 }), (id, w) => {
        const f = field(id);
        const { img } = page(f, w);
        const [line] = [...locateCombs(img, [f], threshold, threshold).values()].flat();
        expect(line!.sideInk.every((s) => !s)).toBe(true);
      }),
      { numRuns: 12 },
    );
  });

  it('a field with writing in its boxes is not looked at: a stroke on a line is most often theirs', () => {
    const f = field('obs1.news2');
    const { img, boxes } = page(f);
    const b = boxes[0]!;
    for (let y = Math.round(b.y + b.h * 0.2); y < Math.round(b.y + b.h * 0.85); y++) {
      for (let x = Math.round(b.x + b.w / 2 - 1); x < Math.round(b.x + b.w / 2 + 2); x++) img.data[y * img.width + x] = 40; // a 1 in box 1
      for (let x = Math.round(b.x + b.w - 4); x < Math.round(b.x + b.w - 1); x++) img.data[y * img.width + x] = 40; // and a stroke on the line
    }
    const [line] = [...locateCombs(img, [f], threshold, threshold).values()].flat();
    expect(line!.ink[0]).toBe('ink');
    expect(line!.sideInk).toEqual([false, false]);
  });
});
