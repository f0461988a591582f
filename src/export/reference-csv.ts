// A trust's reference export (the CAD incident log, the staff list) read as its system or a spreadsheet leaves it:
// the delimiter found from the header line, each column by one of its usual spellings or by the name the user
// gives, and the rows streamed (csv-parse, one at a time, never held whole). Every problem is an error naming it.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse';

/** How one kind of reference file names its columns. */
export interface ColumnSpec<K extends string> {
  /** The file as messages name it: "the CAD file". */
  file: string;
  /** Header spellings for each column, compared by `normHeader`. */
  spellings: Record<K, readonly string[]>;
  /** Each column as messages name it: "incident number". */
  labels: Record<K, string>;
  /** Example headers for a message: `"IncidentNumber"/"IncidentDate"`. */
  example: string;
  /** The error to throw (a class the caller's users know). */
  error: (message: string) => Error;
}

export interface ReferenceRow<K extends string> {
  record: string[];
  /** Line in the file (1 = header). */
  line: number;
  index: Record<K, number>;
  header: string[];
}

/** A header as compared: lower case, nothing but letters and digits ("Staff No." is "staffno"). */
export const normHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Choose `,`, `;` or tab by which occurs most (outside quotes) in the header line. */
export function detectDelimiter(headerLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  const best = (Object.entries(counts) as [',' | ';' | '\t', number][]).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] > 0 ? best[0] : ',';
}

function readHeaderLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r?\n/, 1)[0] ?? '';
  } finally {
    closeSync(fd);
  }
}

/** Map the header to column indexes; a clear error naming every missing column. */
export function resolveColumns<K extends string>(
  header: string[],
  spec: ColumnSpec<K>,
  given: Partial<Record<K, string>> = {},
): { map: Record<K, string>; index: Record<K, number> } {
  const missing: string[] = [];
  const map = {} as Record<K, string>;
  const index = {} as Record<K, number>;
  const trimmed = header.map((h) => h.trim());
  for (const key of Object.keys(spec.spellings) as K[]) {
    const name = given[key];
    let i = -1;
    if (name) {
      i = trimmed.indexOf(name);
      if (i < 0) i = trimmed.findIndex((h) => normHeader(h) === normHeader(name));
      if (i < 0) missing.push(`${spec.labels[key]} (column "${name}")`);
    } else {
      for (const spelling of spec.spellings[key]) {
        i = trimmed.findIndex((h) => normHeader(h) === spelling);
        if (i >= 0) break;
      }
      if (i < 0) missing.push(`${spec.labels[key]} (none of the usual names, e.g. ${spec.example}; say which with the column option)`);
    }
    if (i >= 0) {
      map[key] = trimmed[i]!;
      index[key] = i;
    }
  }
  if (missing.length) {
    throw spec.error(`${spec.file} is missing ${missing.length === 1 ? 'a column' : 'columns'}: ${missing.join('; ')}. Columns found: ${trimmed.map((h) => JSON.stringify(h)).join(', ')}`);
  }
  return { map, index };
}

/** The index of the first header with one of these spellings, or -1 (for columns a file may leave out). */
export function optionalColumn(header: readonly string[], spellings: readonly string[]): number {
  return header.findIndex((h) => spellings.includes(normHeader(h)));
}

/**
 * A reference file's rows after its header, streamed, with the header resolved to columns (`columns()` gives the
 * header names used, once the header is read). Every problem (no header, a missing column, a line csv-parse cannot
 * read) is the spec's error naming it.
 */
export function readReferenceRows<K extends string>(
  path: string,
  spec: ColumnSpec<K>,
  given: Partial<Record<K, string>> = {},
): { delimiter: ',' | ';' | '\t'; rows: AsyncGenerator<ReferenceRow<K>>; columns: () => Record<K, string> | undefined } {
  const delimiter = detectDelimiter(readHeaderLine(path));
  let resolved: { map: Record<K, string>; index: Record<K, number>; header: string[] } | undefined;
  const ours = new WeakSet<Error>();
  const fail = (message: string) => {
    const e = spec.error(message);
    ours.add(e);
    return e;
  };
  async function* rows(): AsyncGenerator<ReferenceRow<K>> {
    const parser = createReadStream(path).pipe(
      parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, info: true, relax_quotes: false }),
    );
    try {
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!resolved) {
          resolved = { ...resolveColumns(record, { ...spec, error: fail }, given), header: record.map((h) => h.trim()) };
          continue;
        }
        yield { record, line: info.lines, index: resolved.index, header: resolved.header };
      }
    } catch (e) {
      if (ours.has(e as Error)) throw e;
      const err = e as Error & { lines?: number };
      throw fail(`${spec.file} could not be read${err.lines ? ` at line ${err.lines}` : ''}: ${err.message}`);
    }
    if (!resolved) throw fail(`${spec.file} is empty: no header line`);
  }
  return { delimiter, rows: rows(), columns: () => resolved?.map };
}
