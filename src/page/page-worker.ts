// A page worker thread (run by piscina): holds the templates and its own recognition engines, and does one page
// task at a time. Everything it sends back is a plain message; the job store is never touched here.
import { workerData } from 'node:worker_threads';
import sharp from '../imaging/sharp.ts';
import type { Template } from '../template/schema.ts';
import { createPageEngines, type PageEngineOptions, type PageEngines } from './engines.ts';
import { processPage } from './process-page.ts';
import type { PageResult, PageTask } from './task.ts';
import { nameThisThread, THREAD_NAMES } from './thread-cpu.ts';

export interface PageWorkerData {
  templates: Template[];
  engines: PageEngineOptions;
}

const data = workerData as PageWorkerData;
// Named, so the scan's CPU split counts this thread as a page worker's (see thread-cpu.ts).
nameThisThread(THREAD_NAMES.pageWorker);
// Each page image is used once: libvips' operation cache would only hold on to memory. One libvips thread per
// worker: the pages, not the pixels of one page, are what runs in parallel.
sharp.cache(false);
sharp.concurrency(1);
let engines: Promise<PageEngines> | undefined;

export default async function runPageTask(task: PageTask): Promise<PageResult> {
  const template = data.templates.find((t) => t.id === task.template.id && t.version === task.template.version);
  if (!template) throw new Error(`page worker: no template ${task.template.id} v${task.template.version}`);
  engines ??= createPageEngines(data.engines);
  return processPage(task, template, await engines);
}
