// The small JPEG kept for a quarantined page, so a person can see what it was and assign it by hand.
import sharp from '../imaging/sharp.ts';
import { graySharp, type GrayImage } from '../imaging/gray.ts';

const THUMB_WIDTH = 400;

export async function thumbnailJpeg(img: GrayImage): Promise<Uint8Array> {
  return graySharp(img).resize({ width: THUMB_WIDTH }).jpeg({ quality: 70 }).toBuffer();
}

/** From an encoded page image (a read page found, at commit, to be a duplicate). */
export async function thumbnailFromImage(encoded: Uint8Array): Promise<Uint8Array> {
  return sharp(encoded).resize({ width: THUMB_WIDTH }).jpeg({ quality: 70 }).toBuffer();
}
