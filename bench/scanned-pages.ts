// Every decoded page of the scans in some folders, as a grey image with its pixels-a-millimetre estimate: what the QR
// benches (bench:qr, bench:qr-locate) run their identify steps on. Pages that do not decode are skipped.
import { decodePages } from '../src/imaging/decode.ts';
import type { GrayImage } from '../src/imaging/gray.ts';
import { estimatePxPerMm } from '../src/imaging/register.ts';
import { walkInputs } from '../src/imaging/walk.ts';
import type { Template } from '../src/template/schema.ts';

export interface ScannedPage {
  /** The file's name (no folder). */
  file: string;
  page: number;
  img: GrayImage;
  ppm: number;
}

export async function* scannedPages(dirs: readonly string[], template: Template): AsyncGenerator<ScannedPage> {
  for (const dir of dirs) {
    for await (const item of walkInputs([dir])) {
      if ('error' in item) continue;
      for await (const page of decodePages(item.path)) {
        if (!page.image) continue;
        const img: GrayImage = { data: new Uint8Array(page.image.data.buffer, page.image.data.byteOffset, page.image.data.length), width: page.image.width, height: page.image.height };
        yield { file: item.path.split('/').pop()!, page: page.pageIndex, img, ppm: estimatePxPerMm(img, page.dpi, template) };
      }
    }
  }
}
