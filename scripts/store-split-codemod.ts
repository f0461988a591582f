// One-off codemod for the job store split (issue 14): rewrites calls of the methods that moved off JobStore onto
// its stage accessors (store.savePage(...) -> store.pages.savePage(...)) and moves imports of the types that moved
// out of src/job/store.ts to their new modules. Receivers are matched by type (a JobStore), never by name, so
// zod's z.record() or a Map's .get() are left alone. Safe to run more than once; run it on a branch that still
// calls the old names, then `npx tsc --noEmit -p .`.
//   node --import tsx scripts/store-split-codemod.ts [--dry]
import ts from 'typescript';
import { writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

/** Method on JobStore -> [accessor, method name on it]. */
export const METHOD_MOVES: Record<string, [string, string]> = {
  // sources and pages (scan): src/job/page-store.ts
  hasSource: ['pages', 'hasSource'],
  source: ['pages', 'source'],
  sources: ['pages', 'sources'],
  beginSource: ['pages', 'beginSource'],
  finishSource: ['pages', 'finishSource'],
  failSource: ['pages', 'failSource'],
  hasPage: ['pages', 'hasPage'],
  savePage: ['pages', 'savePage'],
  pagesOfSource: ['pages', 'pagesOfSource'],
  pagesOfRecord: ['pages', 'pagesOfRecord'],
  pageOfRecord: ['pages', 'pageOfRecord'],
  resumeInfo: ['pages', 'resumeInfo'],
  recordSourcePages: ['pages', 'recordSourcePages'],
  // records and fields (validate): src/job/record-store.ts
  record: ['records', 'record'],
  listRecords: ['records', 'listRecords'],
  recordFields: ['records', 'recordFields'],
  field: ['records', 'field'],
  fieldById: ['records', 'fieldById'],
  updateFieldValidation: ['records', 'updateFieldValidation'],
  setRecordStatus: ['records', 'setRecordStatus'],
  recordObject: ['records', 'recordObject'],
  recordReviewers: ['records', 'recordReviewers'],
  // review claims, keyings, decisions and audit (review): src/review/review-store.ts
  applyDecision: ['review', 'applyDecision'],
  auditOf: ['review', 'auditOf'],
  auditSummary: ['review', 'auditSummary'],
  reviewableFields: ['review', 'reviewableFields'],
  activeClaims: ['review', 'activeClaims'],
  claimField: ['review', 'claimField'],
  claimHolder: ['review', 'claimHolder'],
  releaseClaims: ['review', 'releaseClaims'],
  addKeying: ['review', 'addKeying'],
  keyingsOf: ['review', 'keyingsOf'],
  reviewerActionCount: ['review', 'reviewerActionCount'],
  // batches (export): src/export/batch-store.ts; the two plain names are renamed, as store.batches is the accessor
  readyUnexported: ['batches', 'readyUnexported'],
  nextBatchSeq: ['batches', 'nextBatchSeq'],
  commitBatch: ['batches', 'commitBatch'],
  batch: ['batches', 'get'],
  batches: ['batches', 'all'],
  batchRecords: ['batches', 'batchRecords'],
};

const ACCESSORS = new Set(Object.values(METHOD_MOVES).map(([a]) => a));

/** Name exported by src/job/store.ts -> the module (from the repo root) that exports it now. */
export const TYPE_MOVES: Record<string, string> = {
  JobStoreError: 'src/job/store-core.ts',
  MACHINE_ACTORS: 'src/job/audit-log.ts',
  StatusCounts: 'src/job/job-status.ts',
  SourceStatus: 'src/job/page-store.ts',
  PageState: 'src/job/page-store.ts',
  FieldRead: 'src/job/page-store.ts',
  SavePageInput: 'src/job/page-store.ts',
  SavedPage: 'src/job/page-store.ts',
  SourceRow: 'src/job/page-store.ts',
  PageRow: 'src/job/page-store.ts',
  ResumeSource: 'src/job/page-store.ts',
  SourcePageRef: 'src/job/page-store.ts',
  RecordStatus: 'src/job/record-store.ts',
  FieldStatus: 'src/job/record-store.ts',
  RecordRow: 'src/job/record-store.ts',
  FieldRow: 'src/job/record-store.ts',
  DecisionAction: 'src/review/review-store.ts',
  ReviewClaim: 'src/review/review-store.ts',
  KeyingAction: 'src/review/review-store.ts',
  KeyingRow: 'src/review/review-store.ts',
  VersionConflictError: 'src/review/review-store.ts',
  AuditRow: 'src/review/review-store.ts',
  BatchMeta: 'src/export/batch-store.ts',
  BatchRow: 'src/export/batch-store.ts',
};

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const STORE = resolve(ROOT, 'src/job/store.ts');

interface Edit { start: number; end: number; text: string }

function main(): void {
  const dry = process.argv.includes('--dry');
  const cfgPath = resolve(ROOT, 'tsconfig.json');
  const cfg = ts.getParsedCommandLineOfConfigFile(cfgPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(cfg.fileNames, cfg.options);
  const checker = program.getTypeChecker();
  let calls = 0;
  let imports = 0;
  for (const sf of program.getSourceFiles()) {
    const file = sf.fileName;
    if (!file.startsWith(ROOT) || file.includes('node_modules') || file === STORE) continue;
    const edits: Edit[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && Object.hasOwn(METHOD_MOVES, node.name.text)) {
        const sym = checker.getTypeAtLocation(node.expression).getSymbol();
        // store.batches is both an old method and the new accessor: only its call, store.batches(), is the old one.
        const accessorName = ACCESSORS.has(node.name.text);
        const calledItself = ts.isCallExpression(node.parent) && node.parent.expression === node;
        if (sym?.getName() === 'JobStore' && (!accessorName || calledItself)) {
          const [accessor, method] = METHOD_MOVES[node.name.text]!;
          edits.push({ start: node.name.getStart(sf), end: node.name.getEnd(), text: `${accessor}.${method}` });
          calls++;
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    imports += importEdits(sf, edits);
    if (!edits.length) continue;
    let text = sf.getFullText();
    for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    if (!dry) writeFileSync(file, text);
    process.stdout.write(`${relative(ROOT, file)}: ${edits.length} edit(s)\n`);
  }
  process.stdout.write(`${calls} call(s) and ${imports} import(s) rewritten${dry ? ' (dry run, nothing written)' : ''}\n`);
}

const resolvedSpecifier = (sf: ts.SourceFile, d: ts.ImportDeclaration): string | undefined =>
  ts.isStringLiteral(d.moduleSpecifier) && d.moduleSpecifier.text.startsWith('.') ? resolve(dirname(sf.fileName), d.moduleSpecifier.text) : undefined;

function specifierFor(sf: ts.SourceFile, target: string): string {
  const rel = relative(dirname(sf.fileName), resolve(ROOT, target));
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Move the moved names out of each `import ... from '.../job/store.ts'`, into imports of their new modules. */
function importEdits(sf: ts.SourceFile, edits: Edit[]): number {
  let n = 0;
  const decls = sf.statements.filter(ts.isImportDeclaration);
  for (const d of decls) {
    if (resolvedSpecifier(sf, d) !== STORE) continue;
    const clause = d.importClause;
    const named = clause?.namedBindings;
    if (!clause || !named || !ts.isNamedImports(named)) continue;
    const moved = named.elements.filter((e) => Object.hasOwn(TYPE_MOVES, (e.propertyName ?? e.name).text));
    if (!moved.length) continue;
    const typeOnly = clause.isTypeOnly;
    const spec = (e: ts.ImportSpecifier) => e.getText(sf);
    const byTarget = new Map<string, string[]>();
    for (const e of moved) {
      const t = TYPE_MOVES[(e.propertyName ?? e.name).text]!;
      byTarget.set(t, [...(byTarget.get(t) ?? []), spec(e)]);
    }
    const kept = named.elements.filter((e) => !moved.includes(e)).map((e) => e.getText(sf));
    const q = d.moduleSpecifier.getText(sf);
    const lines: string[] = [];
    if (kept.length || clause.name) {
      const def = clause.name ? clause.name.text + (kept.length ? ', ' : '') : '';
      lines.push(`import ${typeOnly ? 'type ' : ''}${def}${kept.length ? `{ ${kept.join(', ')} }` : ''} from ${q};`);
    }
    for (const [target, names] of byTarget) {
      const existing = decls.find((o) => o !== d && resolvedSpecifier(sf, o) === resolve(ROOT, target));
      const existingNamed = existing?.importClause?.namedBindings;
      if (existing && existingNamed && ts.isNamedImports(existingNamed) && !!existing.importClause!.isTypeOnly === typeOnly) {
        const have = new Set(existingNamed.elements.map((e) => e.getText(sf)));
        const add = names.filter((x) => !have.has(x));
        if (add.length) edits.push({ start: existingNamed.elements.end, end: existingNamed.elements.end, text: `, ${add.join(', ')}` });
        continue;
      }
      const allTypes = typeOnly || names.every((x) => x.startsWith('type '));
      const list = allTypes ? names.map((x) => x.replace(/^type\s+/, '')) : names;
      lines.push(`import ${allTypes ? 'type ' : ''}{ ${list.join(', ')} } from '${specifierFor(sf, target)}';`);
    }
    edits.push({ start: d.getStart(sf), end: d.getEnd(), text: lines.join('\n') });
    n++;
  }
  return n;
}

main();
