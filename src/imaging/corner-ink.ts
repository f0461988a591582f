// A cheap look before the QR search: could any corner of the page hold a QR code at all? A code needs dark
// modules; a corner with next to no dark ink cannot hold one that reads. Sampled on a sparse grid, so it costs
// a fraction of a millisecond; a blank back answers no and skips the search, a form page answers yes.
import { greyAtShare, greyHistogram, type GrayImage } from './gray.ts';

/** Least dark area, in mm², of the smallest QR code a page could carry (a 10 mm code is about a third dark). */
const MIN_QR_DARK_MM2 = 10;

/** The four corner regions the QR search looks in (the same share of the page as findQr's corners). */
export function cornerRegions(width: number, height: number): [number, number, number, number][] {
  const rw = Math.round(width * 0.42);
  const rh = Math.round(height * 0.3);
  return [
    [width - rw, 0, rw, rh],
    [0, height - rh, rw, rh],
    [0, 0, rw, rh],
    [width - rw, height - rh, rw, rh],
  ];
}

export function cornersMayHoldQr(img: GrayImage, pxPerMm: number): boolean {
  // About 3 samples a millimetre: a code's dark modules are sampled many times over, specks rarely.
  const step = Math.max(1, Math.floor(pxPerMm / 3));
  const mmPerSample = step / pxPerMm;
  const minSamples = MIN_QR_DARK_MM2 / (mmPerSample * mmPerSample);
  for (const [x0, y0, w, h] of cornerRegions(img.width, img.height)) {
    // Paper is the region's 90th percentile of brightness; dark is well below it (faint show-through is not).
    const counts = greyHistogram(img, x0, y0, w, h, step);
    const { hist } = counts;
    const paper = greyAtShare(counts, 0.1, 'light');
    const dark = Math.min(paper - 25, 220);
    let count = 0;
    for (let v = 0; v < dark; v++) count += hist[v]!;
    if (count >= minSamples) return true;
  }
  return false;
}
