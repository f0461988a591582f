// The synthesiser: fake patients' forms, filled in by hand, scanned in sessions (stacks of forms through one
// scanner), written as image files with the ground truth beside each form and a CAD incident log for the batch.
// Deterministic: the same seed and options give byte-identical files. Files are 0600 in 0700 folders.
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFileAtomic } from '../job/fs-safe.ts';
import { formatSerial } from '../template/qr-payload.ts';
import type { Template } from '../template/schema.ts';
import { buildCadLog } from './cad-log.ts';
import { buildStaffRoster, STAFF_ROSTER_FILE } from './staff-roster.ts';
import { encodeJpeg, encodePdf, encodePng, encodeTiff } from './containers.ts';
import { scanPage, type PageTransform, type Rotation, type ScannedPage } from './degrade.ts';
import { fillFormPage, type CrossOut, type FilledPage } from './fill-form.ts';
import { createWriter, type Writer } from './handwriting.ts';
import type { FontPool } from './font-pools.ts';
import { generateRecord, type GeneratedRecord } from './records.ts';
import { createRng, type Rng } from './rng.ts';
import { isMultiPage, PROFILE_NAMES, sampleSession, samplePage, type Container, type ProfileChoice, type ProfileName, type SessionSettings } from './scan-profiles.ts';
import { buildTruth, truthFileName, type CombCorrection, type GroundTruth, type PageTruth, type WrittenValue } from './truth.ts';

export interface SynthOptions {
  count: number;
  seed: number | string;
  outDir: string;
  template: Template;
  profile: ProfileChoice;
  /** Serial of the first form (default 1000); the rest follow on. */
  firstSerial?: number;
  /** Forms per scanning session (default 1-4, chosen per session). */
  sessionSize?: [number, number];
  /** Force containers per profile (fixtures use this to cover every container). */
  containers?: Partial<Record<ProfileName, Container[]>>;
  /** Chance a sheet goes through upside down (default 0.06; never in the clean profile). */
  upsideDownRate?: number;
  /**
   * Chance a sheet goes through sideways, turned 90 or 270 degrees (fed landscape, or turned by the scanner's
   * software): default 0.02 in the office, rough and phone profiles, never in the clean one.
   */
  sidewaysRate?: number;
  /** Chance a session's sheets come out of order (default 0.3). */
  outOfOrderRate?: number;
  /**
   * An explicit list of scanning sessions, in order, instead of random ones (fixtures use it to cover every
   * profile and container). Its form counts must add up to `count`.
   */
  sessionPlan?: SessionPlan[];
  /** Chance a written comb field has one box corrected (default COMB_CORRECTION_RATE, about 4% of forms). */
  combCorrectionRate?: number;
  /** Which pool of hands writes the forms (default test: hands the box classifier never trained on). */
  hands?: FontPool;
  onProgress?: (formsDone: number, total: number) => void;
}

export interface SessionPlan {
  profile: ProfileName;
  forms: number;
  container?: Container;
  duplex?: boolean;
  /** Chance each sheet goes through upside down. */
  upsideDownRate?: number;
  /** Chance each sheet goes through sideways (90 or 270 degrees). */
  sidewaysRate?: number;
  outOfOrder?: boolean;
}

/** Per-page scan details kept in the truth beside the page's place (see PageTruth). */
export interface PageScanTruth extends PageTransform {
  profile: ProfileName;
  container: Container;
  colour: boolean;
  bitonal: boolean;
  jpegQuality?: number;
  /** Where this sheet's blank reverse side went, for duplex sessions. */
  blankBackAt?: { file: string; pageIndex: number };
}

/** The truth file as written: the GroundTruth schema plus synthesiser details (extra keys the schema ignores). */
export type SynthTruth = Omit<GroundTruth, 'pages'> & {
  pages: (PageTruth & { scan: PageScanTruth })[];
  synth: { writer: { font: string; ink: string }; crossOuts: CrossOut[]; session: number };
};

/** One page inside one output file, in file order. */
export interface ManifestPage {
  pageIndex: number;
  /** Null for a blank back. */
  serial: string | null;
  page: number | null;
  blankBack: boolean;
  rotation: Rotation;
}

export interface ManifestFile {
  file: string;
  session: number;
  profile: ProfileName;
  container: Container;
  dpi: number;
  pages: ManifestPage[];
}

export interface SynthSummary {
  seed: number | string;
  templateId: string;
  templateVersion: number;
  profile: ProfileChoice;
  forms: number;
  formPages: number;
  blankBacks: number;
  upsideDown: number;
  /** Form pages scanned turned 90 or 270 degrees. */
  sideways: number;
  files: number;
  sessions: number;
  outOfOrderSessions: number;
  writerErrors: number;
  crossOuts: number;
  /** Comb boxes corrected by the writer (overwritten, or scribbled out and rewritten beside), and forms with one. */
  combCorrections: number;
  formsWithCombCorrections: number;
  byProfile: Record<ProfileName, { forms: number; pages: number }>;
  byContainer: Partial<Record<Container, number>>;
  cad: { rows: number; incidentsWithoutForm: string[]; formsWithoutIncident: string[] };
  /** The staff list beside the scans (staff-roster.csv). */
  roster: { rows: number };
  manifest: ManifestFile[];
}

export interface SynthResult {
  summary: SynthSummary;
  seconds: number;
  formsPerSecond: number;
  /** Seconds spent per profile (forms of that profile), for forms-per-second by profile. */
  secondsByProfile: Record<ProfileName, number>;
}

interface Sheet {
  serial: string;
  page: number;
  rotation: Rotation;
}

interface FormInProgress {
  serial: string;
  generated: GeneratedRecord;
  values: Record<string, WrittenValue>;
  writer: Writer;
  rng: Rng;
  session: number;
  profile: ProfileName;
  pages: (PageTruth & { scan: PageScanTruth })[];
  crossOuts: CrossOut[];
  combCorrections: Record<string, CombCorrection>;
}

const EXTENSIONS: Record<Container, string> = { png: 'png', jpeg: 'jpg', tiff: 'tif', 'tiff-1bit': 'tif', pdf: 'pdf' };
/** Pages scanned at once: rasterising (sharp's threads) overlaps the pixel pass (this thread). */
const CONCURRENCY = 2;

export async function synthesise(opts: SynthOptions): Promise<SynthResult> {
  const started = performance.now();
  const { template, count, outDir } = opts;
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a whole number of forms, at least 1');
  const root = createRng(opts.seed);
  const scansDir = join(outDir, 'scans');
  const truthDir = join(outDir, 'truth');
  ensurePrivateDir(outDir);
  ensurePrivateDir(scansDir);
  ensurePrivateDir(truthDir);

  const firstSerial = opts.firstSerial ?? 1000;
  const [minSession, maxSession] = opts.sessionSize ?? [1, 4];
  const plan = root.fork('plan');
  const manifest: ManifestFile[] = [];
  const intended: GeneratedRecord['intendedRecord'][] = [];
  const byProfile = Object.fromEntries(PROFILE_NAMES.map((p) => [p, { forms: 0, pages: 0 }])) as SynthSummary['byProfile'];
  const secondsByProfile = Object.fromEntries(PROFILE_NAMES.map((p) => [p, 0])) as Record<ProfileName, number>;
  const byContainer: SynthSummary['byContainer'] = {};
  let formPages = 0;
  let blankBacks = 0;
  let upsideDown = 0;
  let sideways = 0;
  let outOfOrderSessions = 0;
  let writerErrors = 0;
  let crossOutCount = 0;
  let combCorrectionCount = 0;
  let formsWithCombCorrections = 0;
  let done = 0;
  let sessionNo = 0;

  if (opts.sessionPlan && opts.sessionPlan.reduce((n, p) => n + p.forms, 0) !== count) {
    throw new Error('the session plan\'s form counts must add up to count');
  }
  while (done < count) {
    sessionNo++;
    const sessionStarted = performance.now();
    const planned = opts.sessionPlan?.[sessionNo - 1];
    const size = planned ? planned.forms : Math.min(count - done, plan.int(minSession, maxSession));
    const profile: ProfileName = planned ? planned.profile : opts.profile === 'mixed' ? plan.pick(PROFILE_NAMES) : opts.profile;
    const sRng = root.fork(`session-${sessionNo}`);
    const session = sampleSession(profile, sRng.fork('settings'));
    const forced = planned?.container ? [planned.container] : opts.containers?.[profile];
    if (forced?.length) applyContainer(session, plan.pick(forced), sRng.fork('container'));
    if (planned?.duplex !== undefined) session.duplex = planned.duplex;

    // The forms of this session.
    const forms = new Map<string, FormInProgress>();
    for (let i = 0; i < size; i++) {
      const serial = formatSerial(firstSerial + done + i);
      const fRng = root.fork(`form-${serial}`);
      const generated = generateRecord(root.fork('records'), serial);
      const truthFields = buildTruth({ template, seed: opts.seed, profile, ...generated, record: generated.record }).fields;
      const values = Object.fromEntries(Object.entries(truthFields).map(([id, f]) => [id, f.written]));
      forms.set(serial, { serial, generated, values, writer: createWriter(fRng.fork('writer'), opts.hands ?? 'test'), rng: fRng, session: sessionNo, profile, pages: [], crossOuts: [], combCorrections: {} });
    }

    // The stack of sheets as it went through the scanner.
    const upRate = planned?.upsideDownRate ?? (profile === 'clean' ? 0 : (opts.upsideDownRate ?? 0.06));
    const sideRate = planned?.sidewaysRate ?? (profile === 'clean' ? 0 : (opts.sidewaysRate ?? 0.02));
    const order = sRng.fork('order');
    // Sideways sheets from a stream of their own, so the rest of the stack's order is as it was without them.
    const turn = sRng.fork('sideways');
    let sheets: Sheet[] = [...forms.keys()].flatMap((serial) =>
      template.pages.map((p) => {
        const upside = order.chance(upRate);
        const side = turn.chance(sideRate);
        const rotation: Rotation = side ? (turn.chance(0.5) ? 90 : 270) : upside ? 180 : 0;
        return { serial, page: p.number, rotation };
      }),
    );
    const shuffled = order.chance(opts.outOfOrderRate ?? 0.3);
    if (sheets.length > 1 && (planned?.outOfOrder ?? shuffled)) {
      outOfOrderSessions++;
      if (order.chance(0.3)) sheets = order.shuffle(sheets);
      else {
        const i = order.int(0, sheets.length - 2);
        [sheets[i], sheets[i + 1]] = [sheets[i + 1]!, sheets[i]!];
      }
    }

    // Scan every sheet (and its blank back in duplex), in stack order.
    type Out = { sheet: Sheet; blankBack: boolean; page: ScannedPage };
    const jobs: { sheet: Sheet; blankBack: boolean }[] = sheets.flatMap((sheet) =>
      session.duplex ? [{ sheet, blankBack: false }, { sheet, blankBack: true }] : [{ sheet, blankBack: false }],
    );
    // A page's drawing depends only on its form and page number, so it is drawn once and shared.
    const drawings = new Map<string, FilledPage>();
    const drawPage = (form: FormInProgress, page: number): FilledPage => {
      const key = `${form.serial}/${page}`;
      let d = drawings.get(key);
      if (!d) {
        d = fillFormPage(template, form.serial, page, form.values, form.rng.fork(`page-${page}`), form.writer, { combCorrectionRate: opts.combCorrectionRate });
        drawings.set(key, d);
      }
      return d;
    };
    const scanned: Out[] = await mapLimit(jobs, CONCURRENCY, async (job, k) => {
      const form = forms.get(job.sheet.serial)!;
      const front = drawPage(form, job.sheet.page);
      if (!job.blankBack) {
        form.crossOuts.push(...front.crossOuts);
        Object.assign(form.combCorrections, front.combCorrections);
      }
      const pRng = sRng.fork(`sheet-${k}`);
      const degradation = samplePage(session, pRng.fork('degradation'));
      const otherPage = template.pages.find((p) => p.number !== job.sheet.page)?.number;
      const showThrough = job.blankBack
        ? front
        : degradation.bleedThrough > 0 && otherPage !== undefined
          ? drawPage(form, otherPage)
          : null;
      const page = await scanPage(
        { front: job.blankBack ? null : front, showThrough, pageMm: template.pageSize, session, degradation, rotation: job.sheet.rotation },
        pRng.fork('scan'),
      );
      return { sheet: job.sheet, blankBack: job.blankBack, page };
    });

    // Write the files.
    const ext = EXTENSIONS[session.container];
    const stem = `scan-${String(sessionNo).padStart(3, '0')}`;
    const placed: { out: Out; file: string; pageIndex: number }[] = [];
    if (isMultiPage(session.container)) {
      const file = `${stem}.${ext}`;
      const bytes =
        session.container === 'pdf' ? await encodePdf(scanned.map((s) => s.page), session.jpegQuality) : await encodeTiff(scanned.map((s) => s.page), session.container === 'tiff' ? session.jpegQuality : undefined);
      writePrivateFileAtomic(join(scansDir, file), bytes);
      scanned.forEach((out, i) => placed.push({ out, file, pageIndex: i }));
    } else {
      for (const [i, out] of scanned.entries()) {
        const file = `${stem}-${String(i + 1).padStart(4, '0')}.${ext}`;
        const bytes = session.container === 'png' ? await encodePng(out.page) : await encodeJpeg(out.page, session.jpegQuality ?? 85);
        writePrivateFileAtomic(join(scansDir, file), bytes);
        placed.push({ out, file, pageIndex: 0 });
      }
    }
    byContainer[session.container] = (byContainer[session.container] ?? 0) + new Set(placed.map((p) => p.file)).size;

    // Where each page went: the manifest (every page of every file) and each form's truth.
    const files = new Map<string, ManifestFile>();
    for (const { out, file, pageIndex } of placed) {
      let mf = files.get(file);
      if (!mf) {
        mf = { file: `scans/${file}`, session: sessionNo, profile, container: session.container, dpi: session.dpi, pages: [] };
        files.set(file, mf);
        manifest.push(mf);
      }
      mf.pages.push({
        pageIndex,
        serial: out.blankBack ? null : out.sheet.serial,
        page: out.blankBack ? null : out.sheet.page,
        blankBack: out.blankBack,
        rotation: out.page.transform.rotation,
      });
      const form = forms.get(out.sheet.serial)!;
      if (out.blankBack) {
        blankBacks++;
        const front = form.pages.find((p) => p.page === out.sheet.page)!;
        front.blankBack = true;
        front.scan.blankBackAt = { file: `../scans/${file}`, pageIndex };
        continue;
      }
      formPages++;
      if (out.page.transform.rotation === 180) upsideDown++;
      if (out.page.transform.rotation === 90 || out.page.transform.rotation === 270) sideways++;
      form.pages.push({
        page: out.sheet.page,
        file: `../scans/${file}`,
        pageIndex,
        rotation: out.page.transform.rotation,
        scan: {
          profile,
          container: session.container,
          colour: out.page.channels === 3,
          bitonal: out.page.bitonal,
          ...(session.jpegQuality !== undefined && session.container !== 'png' && session.container !== 'tiff-1bit' ? { jpegQuality: session.jpegQuality } : {}),
          ...out.page.transform,
        },
      });
    }

    for (const form of forms.values()) {
      form.pages.sort((a, b) => a.page - b.page);
      const truth = buildTruth({
        template,
        seed: opts.seed,
        profile,
        record: form.generated.record,
        intendedRecord: form.generated.intendedRecord,
        writerErrors: form.generated.writerErrors,
        pages: form.pages,
        combCorrections: form.combCorrections,
      });
      const full: SynthTruth = {
        ...truth,
        pages: form.pages,
        synth: { writer: { font: form.writer.fontId, ink: form.writer.inkName }, crossOuts: form.crossOuts, session: sessionNo },
      };
      writePrivateFileAtomic(join(truthDir, truthFileName(form.serial)), JSON.stringify(full, null, 2) + '\n');
      intended.push(form.generated.intendedRecord);
      writerErrors += form.generated.writerErrors.length ? 1 : 0;
      crossOutCount += form.crossOuts.length;
      const corrected = Object.keys(form.combCorrections).length;
      combCorrectionCount += corrected;
      formsWithCombCorrections += corrected ? 1 : 0;
      byProfile[profile].forms++;
      byProfile[profile].pages += form.pages.length;
    }
    done += size;
    secondsByProfile[profile] += (performance.now() - sessionStarted) / 1000;
    opts.onProgress?.(done, count);
  }

  // The CAD log holds what really happened (the intended records), with a few gaps for reconcile to find.
  const cad = buildCadLog(intended, root.fork('cad'));
  writePrivateFileAtomic(join(outDir, 'cad-incidents.csv'), cad.csv);
  // The trust's staff list: everyone the forms name, among the trust's other staff.
  const roster = buildStaffRoster(intended, root.fork('roster'));
  writePrivateFileAtomic(join(outDir, STAFF_ROSTER_FILE), roster.csv);

  const summary: SynthSummary = {
    seed: opts.seed,
    templateId: template.id,
    templateVersion: template.version,
    profile: opts.profile,
    forms: count,
    formPages,
    blankBacks,
    upsideDown,
    sideways,
    files: manifest.length,
    sessions: sessionNo,
    outOfOrderSessions,
    writerErrors,
    crossOuts: crossOutCount,
    combCorrections: combCorrectionCount,
    formsWithCombCorrections,
    byProfile,
    byContainer,
    cad: { rows: cad.rows.length, incidentsWithoutForm: cad.gaps.incidentsWithoutForm, formsWithoutIncident: cad.gaps.formsWithoutIncident },
    roster: { rows: roster.rows.length },
    manifest,
  };
  // No timings in the file: the same seed gives the same bytes.
  writePrivateFileAtomic(join(outDir, 'synth-summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const seconds = (performance.now() - started) / 1000;
  return { summary, seconds, formsPerSecond: count / seconds, secondsByProfile };
}

/** Force a session's container, keeping its other settings coherent with it. */
function applyContainer(session: SessionSettings, container: Container, rng: Rng): void {
  session.container = container;
  if (container === 'tiff-1bit') {
    session.dpi = 200;
    session.colour = false;
    session.jpegQuality = undefined;
  } else if (container === 'png') {
    session.jpegQuality = undefined;
  } else if (container === 'tiff') {
    session.colour = false;
  } else if (session.jpegQuality === undefined && (container === 'jpeg' || (container === 'pdf' && session.profile !== 'clean'))) {
    session.jpegQuality = session.profile === 'rough' ? rng.int(30, 55) : rng.int(70, 90);
  }
}

/** Map with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
