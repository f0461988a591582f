// Named scanning profiles: how a batch of filled forms gets from paper to image files. A profile picks the
// settings of a scanning session (resolution, colour, file container) and, page by page, how the sheet lay on
// the glass (skew, offset, scale), the optics (blur, noise, light) and the paper (speckle, bleed-through).
// Pure: every choice comes from the rng passed in.
import type { Rng } from './rng.ts';

export const PROFILE_NAMES = ['clean', 'office', 'rough', 'phone'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const PROFILE_CHOICES = [...PROFILE_NAMES, 'mixed'] as const;
export type ProfileChoice = (typeof PROFILE_CHOICES)[number];

/** File containers: one image a page (png, jpeg), or many pages a file (tiff, tiff-1bit, pdf). */
export const CONTAINERS = ['png', 'jpeg', 'tiff', 'tiff-1bit', 'pdf'] as const;
export type Container = (typeof CONTAINERS)[number];

export function isMultiPage(c: Container): boolean {
  return c === 'tiff' || c === 'tiff-1bit' || c === 'pdf';
}

/** One scanning session: a stack of forms through one scanner (or one phone) with one set of settings. */
export interface SessionSettings {
  profile: ProfileName;
  dpi: number;
  /** RGB output; otherwise 8-bit grey (or 1-bit for tiff-1bit). */
  colour: boolean;
  container: Container;
  /** JPEG quality for jpeg files, 8-bit TIFF and the page images inside a PDF; undefined means lossless. */
  jpegQuality?: number;
  /** Duplex scanning: every sheet's blank reverse side comes out as a page of its own. */
  duplex: boolean;
  /**
   * Scan area beyond the page on every side, in mm: room for a skewed or shifted sheet (the scanner's lid or
   * backing shows there), so registration marks are never cut off. Fixed for a session, so all its images match.
   */
  marginMm: number;
}

/** How one sheet was scanned. Lengths in mm, angles in degrees. */
export interface PageDegradation {
  /** Skew on the glass, clockwise positive. */
  skewDeg: number;
  scale: number;
  offsetMm: { x: number; y: number };
  /** Phone photos: how far each page corner (TL, TR, BR, BL) moved, in mm, beyond the skew/scale/offset. */
  perspectiveMm?: [number, number][];
  /** Grey level (0-255) outside the sheet: the scanner lid, or the table under a phone photo. */
  background: number;
  /** A warm (wooden table) rather than neutral background, in colour images. */
  warmBackground?: boolean;
  blurSigmaPx: number;
  noiseSd: number;
  /** Uneven light: darkening towards one side (0 none, 0.3 strong) at an angle, plus corner falloff. */
  lightGradient: number;
  lightAngleDeg: number;
  vignette: number;
  /** Paper and ink as they come out of the scanner (grey levels). */
  paperWhite: number;
  inkBlack: number;
  /** Dark specks of dust and toner per page. */
  speckles: number;
  /** Strength of the reverse side showing through (0 none, 0.2 strong). */
  bleedThrough: number;
  /** Threshold for 1-bit output. */
  threshold?: number;
}

/** Settings of a scanning session for a profile. */
export function sampleSession(profile: ProfileName, rng: Rng): SessionSettings {
  switch (profile) {
    case 'clean':
      return {
        profile,
        dpi: 300,
        colour: rng.chance(0.25),
        container: rng.weighted<Container>([
          ['png', 3],
          ['tiff', 3],
          ['pdf', 2],
        ]),
        duplex: rng.chance(0.2),
        marginMm: 0,
      };
    case 'office': {
      const container = rng.weighted<Container>([
        ['jpeg', 4],
        ['pdf', 3],
        ['tiff', 2],
      ]);
      return {
        profile,
        dpi: rng.pick([200, 240, 300]),
        colour: container !== 'tiff' && rng.chance(0.4),
        container,
        // 8-bit TIFFs from office scanners are JPEG-compressed inside.
        jpegQuality: rng.int(70, 90),
        duplex: rng.chance(0.35),
        marginMm: 12,
      };
    }
    case 'rough': {
      const container = rng.weighted<Container>([
        ['tiff-1bit', 4],
        ['jpeg', 3],
        ['pdf', 2],
      ]);
      return {
        profile,
        // Fax-like 1-bit pages come at fax resolution.
        dpi: container === 'tiff-1bit' ? 200 : rng.pick([150, 200]),
        colour: false,
        container,
        jpegQuality: container === 'tiff-1bit' ? undefined : rng.int(30, 55),
        duplex: rng.chance(0.3),
        marginMm: 18,
      };
    }
    case 'phone':
      return {
        profile,
        dpi: rng.pick([150, 180, 200]),
        colour: true,
        container: rng.chance(0.8) ? 'jpeg' : 'pdf',
        jpegQuality: rng.int(72, 90),
        duplex: false,
        marginMm: 10,
      };
  }
}

/** How one sheet of a session was scanned. */
export function samplePage(session: SessionSettings, rng: Rng): PageDegradation {
  const n = (sd: number, max: number) => clamp(rng.normal(0, sd), -max, max);
  switch (session.profile) {
    case 'clean':
      return {
        skewDeg: 0,
        scale: 1,
        offsetMm: { x: 0, y: 0 },
        background: 255,
        blurSigmaPx: 0,
        noiseSd: 0,
        lightGradient: 0,
        lightAngleDeg: 0,
        vignette: 0,
        paperWhite: rng.int(250, 255),
        inkBlack: rng.int(8, 20),
        speckles: 0,
        bleedThrough: 0,
      };
    case 'office':
      return {
        skewDeg: n(1.6, 4),
        scale: rng.float(0.985, 1.015),
        offsetMm: { x: n(2, 5), y: n(2, 5) },
        background: rng.int(235, 255),
        blurSigmaPx: rng.float(0.4, 0.9) * (session.dpi / 300),
        noiseSd: rng.float(1.5, 3.5),
        lightGradient: rng.float(0, 0.05),
        lightAngleDeg: rng.float(0, 360),
        vignette: 0,
        paperWhite: rng.int(236, 250),
        inkBlack: rng.int(20, 45),
        speckles: rng.int(0, 40),
        bleedThrough: 0,
      };
    case 'rough':
      return {
        skewDeg: n(3.5, 8),
        scale: rng.float(0.96, 1.03),
        offsetMm: { x: n(4, 9), y: n(4, 9) },
        background: rng.int(20, 90),
        blurSigmaPx: rng.float(0.5, 1.0),
        noiseSd: rng.float(5, 10),
        lightGradient: rng.float(0.08, 0.22),
        lightAngleDeg: rng.float(0, 360),
        vignette: rng.float(0, 0.08),
        paperWhite: rng.int(215, 238),
        inkBlack: rng.int(35, 70),
        speckles: rng.int(150, 900),
        bleedThrough: rng.float(0.06, 0.16),
        threshold: session.container === 'tiff-1bit' ? rng.int(135, 165) : undefined,
      };
    case 'phone': {
      // The form lies on a table: a little smaller than the frame, the camera not quite square above it.
      const k = () => rng.float(2, 10) * (rng.chance(0.5) ? 1 : -1);
      return {
        skewDeg: n(1.5, 3),
        scale: rng.float(0.9, 0.95),
        offsetMm: { x: n(2, 5), y: n(2, 5) },
        perspectiveMm: [
          [k(), k()],
          [k(), k()],
          [k(), k()],
          [k(), k()],
        ],
        background: rng.int(70, 150),
        warmBackground: true,
        blurSigmaPx: rng.float(0.5, 1.0),
        noiseSd: rng.float(2, 4.5),
        lightGradient: rng.float(0.12, 0.3),
        lightAngleDeg: rng.float(0, 360),
        vignette: rng.float(0.08, 0.2),
        paperWhite: rng.int(215, 240),
        inkBlack: rng.int(30, 60),
        speckles: 0,
        bleedThrough: 0,
      };
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
