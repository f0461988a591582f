// A page worker thread (run by piscina): holds the templates and its own box classifier, reads through the task's
// OCR link, and does one page task at a time. Everything it sends back is a plain message; the job store is never
// touched here.
import { workerData, type MessagePort } from 'node:worker_threads';
import sharp from '../imaging/sharp.ts';
import type { BoxClassifier } from '../recognition/box-classifier.ts';
import { LinkedRecognizer } from '../recognition/ocr-link.ts';
import type { Template } from '../template/schema.ts';
import { createBoxEngine, type PageEngineOptions } from './engines.ts';
import { processPage } from './process-page.ts';
import type { PageResult, PageTask } from './task.ts';
import { nameThisThread, THREAD_NAMES } from './thread-cpu.ts';

export interface PageWorkerData {
  templates: Template[];
  engines: PageEngineOptions;
}

/** What the pool hands a worker: the page task, and this task's link to the scan's OCR engine. */
export interface PageWorkerTask {
  task: PageTask;
  ocr: MessagePort;
}

const data = workerData as PageWorkerData;
// Named, so the scan's CPU split counts this thread as a page worker's (see thread-cpu.ts).
nameThisThread(THREAD_NAMES.pageWorker);
// Each page image is used once: libvips' operation cache would only hold on to memory. One libvips thread per
// worker: the pages, not the pixels of one page, are what runs in parallel.
sharp.cache(false);
sharp.concurrency(1);
let boxes: Promise<BoxClassifier> | undefined;

export default async function runPageTask({ task, ocr: port }: PageWorkerTask): Promise<PageResult> {
  const ocr = new LinkedRecognizer(port);
  try {
    const template = data.templates.find((t) => t.id === task.template.id && t.version === task.template.version);
    if (!template) throw new Error(`page worker: no template ${task.template.id} v${task.template.version}`);
    boxes ??= createBoxEngine(data.engines);
    return await processPage(task, template, { ocr, boxes: await boxes });
  } finally {
    ocr.close();
  }
}
