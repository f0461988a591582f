// Why an input file (or one page of it) cannot become a page image: a reason code for the job store and a
// plain-English message for records staff that names the file and, where it matters, the page.

/** Every reason an input can be refused, with what a person should do about it. */
export const SCAN_INPUT_REASONS = {
  'empty-file': {
    title: 'Empty file',
    explain: 'is empty (0 bytes). The scan was probably interrupted; scan the paper again.',
  },
  'unsupported-format': {
    title: 'Not a supported scan format',
    explain: 'is not a scan this tool can read (PNG, JPEG, TIFF or PDF).',
  },
  'truncated-image': {
    title: 'Image cut short',
    explain: 'ends before the image is complete (the file was cut short while copying or scanning). Scan or copy it again.',
  },
  'corrupt-image': {
    title: 'Damaged image',
    explain: 'is damaged and cannot be decoded reliably. Scan the paper again.',
  },
  'image-too-large': {
    title: 'Image too large',
    explain: 'is larger than any scanned form should be, so it was not opened (this protects the machine from running out of memory). Rescan at 200-300 dpi.',
  },
  'image-too-small': {
    title: 'Image too small',
    explain: 'is too small to be a scanned form. Rescan the paper at 200-300 dpi.',
  },
  'pdf-encrypted': {
    title: 'PDF is password-protected',
    explain: 'is protected by a password. Save an unprotected copy of the scan and try again.',
  },
  'pdf-no-pages': {
    title: 'PDF has no pages',
    explain: 'is a PDF with no pages in it.',
  },
  'pdf-corrupt': {
    title: 'Damaged PDF',
    explain: 'is a damaged PDF that cannot be read. Export or scan it again.',
  },
  'pdf-too-many-pages': {
    title: 'PDF has too many pages',
    explain: 'has more pages than one scan batch file should. Split it into smaller files.',
  },
  'pdf-page-too-large': {
    title: 'PDF page too large',
    explain: 'has a page far larger than any paper form, so it was not rendered (this protects the machine from running out of memory).',
  },
  'pdf-page-size-invalid': {
    title: 'PDF page has no real size',
    explain: 'has a page whose size (its MediaBox) is missing, zero or not a number, so it cannot be rendered as it was scanned. Export or scan it again.',
  },
  'tiff-too-many-pages': {
    title: 'TIFF has too many pages',
    explain: 'has more pages than one scan batch file should. Split it into smaller files.',
  },
  'file-too-large': {
    title: 'File too large',
    explain: 'is bigger than any scan file should be, so it was not read.',
  },
  'file-changed': {
    title: 'File changed while being read',
    explain: 'changed after it was registered (its contents no longer match the recorded checksum). Check nobody is still writing to it, then scan the batch again.',
  },
  'unreadable-file': {
    title: 'File cannot be read',
    explain: 'cannot be read.',
  },
  'folder-too-deep': {
    title: 'Folder nested too deep',
    explain: 'is a folder nested far deeper than any scan batch, so it was not walked. Move the scans to a shallower folder.',
  },
  'symlink-loop': {
    title: 'Link loop',
    explain: 'is a link that leads back to itself or to a folder that contains it, so it was not followed.',
  },
} as const satisfies Record<string, { title: string; explain: string }>;

export type ScanInputErrorCode = keyof typeof SCAN_INPUT_REASONS;

export const SCAN_INPUT_ERROR_CODES = Object.keys(SCAN_INPUT_REASONS) as ScanInputErrorCode[];

export interface ScanInputErrorDetails {
  /** 0-based page index; the message says "page N" counting from 1, as people do. */
  page?: number;
  /** The specific finding as a short sentence, e.g. "It looks like a ZIP archive" or "It is 50000 x 50000 pixels". */
  detail?: string;
  /** The underlying library error, kept for diagnosis (never shown as the message). */
  cause?: unknown;
}

export class ScanInputError extends Error {
  readonly code: ScanInputErrorCode;
  readonly file: string;
  readonly page?: number;
  readonly detail?: string;

  constructor(code: ScanInputErrorCode, file: string, details: ScanInputErrorDetails = {}) {
    super(scanInputMessage(code, file, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ScanInputError';
    this.code = code;
    this.file = file;
    if (details.page !== undefined) this.page = details.page;
    if (details.detail !== undefined) this.detail = details.detail;
  }

  /** What the job store keeps: plain data, no stack, no library internals. */
  toJSON(): { code: ScanInputErrorCode; file: string; page?: number; detail?: string; message: string } {
    return {
      code: this.code,
      file: this.file,
      ...(this.page !== undefined ? { page: this.page } : {}),
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      message: this.message,
    };
  }
}

/** "File scans/box1/a.tif, page 3, is too small to be a scanned form. Rescan ... It is 1 x 1 pixels." */
export function scanInputMessage(code: ScanInputErrorCode, file: string, details: ScanInputErrorDetails = {}): string {
  const where = details.page === undefined ? `File ${file}` : `File ${file}, page ${details.page + 1},`;
  const detail = details.detail ? ` ${sentence(details.detail)}` : '';
  return `${where} ${SCAN_INPUT_REASONS[code].explain}${detail}`;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

export function isScanInputError(value: unknown): value is ScanInputError {
  return value instanceof ScanInputError;
}
