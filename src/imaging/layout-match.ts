// A page whose QR code cannot be read (torn, covered, smudged) but whose corner marks are there: find which
// template page it is by its printed layout, which way up it is, and the transform from its four marks.
import { rasterise } from '../template/render-raster.ts';
import { drawFormPage } from '../template/draw-form.ts';
import type { Template } from '../template/schema.ts';
import { downscaleGray, rotateGray90s, type GrayImage } from './gray.ts';
import { fitAffine, fitTransform, type Homography, type Point } from './homography.ts';
import { blobsInWindow, pickMark } from './marks.ts';
import { pageThreshold } from './register.ts';
import { warpToTemplate } from './warp.ts';

/** Resolution of the layout comparison: coarse on purpose, it compares boxes and headings, not writing. */
const MATCH_PX_PER_MM = 2;

export interface LayoutMatch {
  pageNo: number;
  quarterTurns: number;
  upright: GrayImage;
  h: Homography;
  /** How much better the best page fits than the next best (0-1); the caller decides what is enough. */
  margin: number;
  score: number;
}

const blankCache = new Map<string, GrayImage[]>();

/**
 * The template's blank pages at the match resolution (rendered once per template). The drawing code is imported
 * statically on purpose: a dynamic import() here fails in a page worker run from the sources (tsx's hooks do not
 * reach a worker's later dynamic imports on Node 20: ERR_UNKNOWN_FILE_EXTENSION), and every torn-QR page was
 * quarantined as read-failed.
 */
async function blankPages(template: Template): Promise<GrayImage[]> {
  const key = `${template.id}@${template.version}`;
  let pages = blankCache.get(key);
  if (!pages) {
    pages = [];
    for (const p of template.pages) {
      const { data, info } = await rasterise(drawFormPage(template, '000000', p.number), MATCH_PX_PER_MM * 25.4)
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      pages.push({ data: new Uint8Array(data), width: info.width, height: info.height });
    }
    blankCache.set(key, pages);
  }
  return pages;
}

/** Centres of the corner marks found in each corner of the image, in the template's mark order, or null. */
export function cornerMarks(img: GrayImage, template: Template, pxPerMm: number): (Point | null)[] {
  const side = template.registration.markSizeMm * pxPerMm;
  const threshold = pageThreshold(img);
  const rw = img.width * 0.18;
  const rh = img.height * 0.14;
  return template.registration.marks.map((m) => {
    const right = m.x > template.pageSize.widthMm / 2;
    const bottom = m.y > template.pageSize.heightMm / 2;
    const x = right ? img.width - rw : 0;
    const y = bottom ? img.height - rh : 0;
    const blobs = blobsInWindow(img, x, y, rw, rh, threshold, side * side * 0.3);
    // Nearest the image's own corner: marks sit in the page's corners.
    const corner = { x: right ? img.width : 0, y: bottom ? img.height : 0 };
    return pickMark(blobs, side, corner)?.centre ?? null;
  });
}

/**
 * Share of the template's printed ink (boxes, labels, headings) that is dark on the scan too, less the share of
 * the template's paper that is dark on the scan: high for the right page the right way up.
 */
function layoutScore(scan: GrayImage, blank: GrayImage): number {
  let inkHit = 0;
  let ink = 0;
  let paperHit = 0;
  let paper = 0;
  for (let i = 0; i < blank.data.length; i++) {
    const dark = scan.data[i]! < 150;
    if (blank.data[i]! < 128) {
      ink++;
      if (dark) inkHit++;
    } else {
      paper++;
      if (dark) paperHit++;
    }
  }
  return (ink ? inkHit / ink : 0) - (paper ? paperHit / paper : 0);
}

export async function matchLayout(img: GrayImage, template: Template, pxPerMm: number): Promise<LayoutMatch | null> {
  const blanks = await blankPages(template);
  const { widthMm, heightMm } = template.pageSize;
  const candidates: LayoutMatch[] = [];
  // A portrait form scanned sideways has the long side across: try the quarter turns that make it portrait.
  const turns = (img.width > img.height) === (widthMm > heightMm) ? [0, 2] : [1, 3];
  for (const q of turns) {
    const upright = rotateGray90s(img, q);
    const marks = cornerMarks(upright, template, pxPerMm);
    const src: Point[] = [];
    const dst: Point[] = [];
    marks.forEach((p, i) => {
      if (p) {
        src.push(template.registration.marks[i]!);
        dst.push(p);
      }
    });
    if (src.length < 3) continue;
    const h = src.length >= 4 ? fitTransform(src, dst) : fitAffine(src, dst);
    if (!h) continue;
    const coarse = warpToTemplate(downscaleGray(upright, 1), h, widthMm, heightMm, MATCH_PX_PER_MM);
    blanks.forEach((blank, i) => {
      candidates.push({ pageNo: template.pages[i]!.number, quarterTurns: q, upright, h, margin: 0, score: layoutScore(coarse, blank) });
    });
  }
  if (!candidates.length) return null;
  candidates.sort((a, b) => b.score - a.score);
  const best = candidates[0]!;
  best.margin = best.score - (candidates[1]?.score ?? 0);
  return best;
}
