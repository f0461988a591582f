// OCR calls carried across a MessagePort: a page worker reads through a link to the scan's one OCR engine, which
// runs on the main thread's side. A tesseract engine for each page worker cost some 220 MB a worker, and the
// engines (OCR and the box classifier) are about a fifth of a page's CPU, so one OCR engine keeps up with two.
import type { MessagePort } from 'node:worker_threads';
import { OcrTimeoutError, type OcrParams, type OcrResult, type Recognizer } from './pool.ts';

interface OcrRequest {
  id: number;
  image: Uint8Array;
  params: OcrParams;
}

type OcrReply = { id: number; result: OcrResult } | { id: number; error: { name: string; message: string } };

/** Answer every request that arrives on `port` with `engine`, until the port is closed. */
export function serveOcr(engine: () => Promise<Recognizer>, port: MessagePort): void {
  port.on('message', (req: OcrRequest) => {
    void (async () => {
      let reply: OcrReply;
      try {
        const result = await (await engine()).recognize(Buffer.from(req.image.buffer, req.image.byteOffset, req.image.byteLength), req.params);
        reply = { id: req.id, result };
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        reply = { id: req.id, error: { name: err.name, message: err.message } };
      }
      // The page's worker may be gone (its page timed out): a reply to a closed port is simply dropped.
      try {
        port.postMessage(reply);
      } catch {
        // closed meanwhile
      }
    })();
  });
}

/** The page worker's end: a Recognizer whose calls run on the other side of the port. */
export class LinkedRecognizer implements Recognizer {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (r: OcrResult) => void; reject: (e: Error) => void }>();
  /** CPU the engine spent on this link's calls, as each reply says. */
  private cpu = 0;

  constructor(private readonly port: MessagePort) {
    port.on('message', (reply: OcrReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('result' in reply) {
        this.cpu += reply.result.cpuSeconds ?? 0;
        w.resolve(reply.result);
      } else {
        w.reject(rebuildError(reply.error));
      }
    });
  }

  recognize(image: Buffer, params: OcrParams): Promise<OcrResult> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // A copy of its own: the image may be a view into a pooled buffer, which cannot be handed over.
      const copy = new Uint8Array(image);
      this.port.postMessage({ id, image: copy, params } satisfies OcrRequest, [copy.buffer]);
    });
  }

  cpuSeconds(): number {
    return this.cpu;
  }

  /** Ends the link; a call still waiting fails. */
  close(): void {
    for (const w of this.waiting.values()) w.reject(new Error('OCR link closed'));
    this.waiting.clear();
    this.port.close();
  }
}

/** The engine's error on this side, as the same class where the page's handling tells classes apart. */
function rebuildError(e: { name: string; message: string }): Error {
  const err = e.name === 'OcrTimeoutError' ? new OcrTimeoutError(e.message) : new Error(e.message);
  if (err.name !== e.name) err.name = e.name;
  return err;
}
