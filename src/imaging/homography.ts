// Plane transforms from template millimetres to scan pixels: homography (4+ points) or affine (3 points),
// fitted by least squares, with the residual that says how well the marks agree.

export interface Point {
  x: number;
  y: number;
}
/** Row-major 3x3, h[8] = 1. */
export type Homography = number[];

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/** Solve A x = b by Gaussian elimination with partial pivoting (small dense systems). */
function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (Math.abs(M[piv]![c]!) < 1e-12) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

/** Least squares via the normal equations (the systems here are tiny and well conditioned after scaling). */
function leastSquares(rows: number[][], rhs: number[]): number[] | null {
  const n = rows[0]!.length;
  const AtA = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const Atb = new Array<number>(n).fill(0);
  rows.forEach((row, i) => {
    for (let a = 0; a < n; a++) {
      Atb[a]! += row[a]! * rhs[i]!;
      for (let b = 0; b < n; b++) AtA[a]![b]! += row[a]! * row[b]!;
    }
  });
  return solve(AtA, Atb);
}

/** Least-squares affine transform src -> dst (3 or more pairs). */
export function fitAffine(src: Point[], dst: Point[]): Homography | null {
  if (src.length !== dst.length || src.length < 3) return null;
  const rows: number[][] = [];
  const rhs: number[] = [];
  src.forEach((p, i) => {
    rows.push([p.x, p.y, 1, 0, 0, 0]);
    rhs.push(dst[i]!.x);
    rows.push([0, 0, 0, p.x, p.y, 1]);
    rhs.push(dst[i]!.y);
  });
  const a = src.length === 3 ? solve(rows, rhs) : leastSquares(rows, rhs);
  return a ? [a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, 0, 0, 1] : null;
}

/** Pixels per unit of the source near a point (geometric mean of the local x and y scales). */
export function localScale(h: Homography, p: Point): number {
  const a = applyHomography(h, p);
  const bx = applyHomography(h, { x: p.x + 1, y: p.y });
  const by = applyHomography(h, { x: p.x, y: p.y + 1 });
  return Math.sqrt(Math.hypot(bx.x - a.x, bx.y - a.y) * Math.hypot(by.x - a.x, by.y - a.y));
}

/** Fit src -> dst. 4 or more pairs: a homography; exactly 3: an affine transform. */
export function fitTransform(src: Point[], dst: Point[]): Homography | null {
  if (src.length !== dst.length || src.length < 3) return null;
  if (src.length === 3) return fitAffine(src, dst);
  const rows: number[][] = [];
  const rhs: number[] = [];
  src.forEach((p, i) => {
    const q = dst[i]!;
    rows.push([p.x, p.y, 1, 0, 0, 0, -p.x * q.x, -p.y * q.x]);
    rhs.push(q.x);
    rows.push([0, 0, 0, p.x, p.y, 1, -p.x * q.y, -p.y * q.y]);
    rhs.push(q.y);
  });
  const h = src.length === 4 ? solve(rows, rhs) : leastSquares(rows, rhs);
  return h ? [...h, 1] : null;
}

/** Root-mean-square distance, in destination units, between mapped src points and dst. */
export function residual(h: Homography, src: Point[], dst: Point[]): number {
  let s = 0;
  src.forEach((p, i) => {
    const m = applyHomography(h, p);
    s += (m.x - dst[i]!.x) ** 2 + (m.y - dst[i]!.y) ** 2;
  });
  return Math.sqrt(s / src.length);
}

/** The inverse transform (pixels back to millimetres); null when the transform is singular. */
export function invertHomography(m: Homography): Homography | null {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-15) return null;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}
