// What a page's QR code says: which template (and version), which printed form, which page.

export interface PageIdentity {
  templateId: string;
  templateVersion: number;
  serial: string;
  page: number;
}

const PREFIX = 'PRFB1';

export function encodePageIdentity(p: PageIdentity): string {
  return [PREFIX, p.templateId, p.templateVersion, p.serial, p.page].join('|');
}

/** Parse a QR payload; null when it is not one of ours (a foreign QR code on some other document). */
export function decodePageIdentity(text: string): PageIdentity | null {
  const parts = text.split('|');
  if (parts.length !== 5 || parts[0] !== PREFIX) return null;
  const [, templateId, version, serial, page] = parts as [string, string, string, string, string];
  if (!/^[a-z0-9-]+$/.test(templateId) || !/^\d+$/.test(version) || !/^\d{1,9}$/.test(serial) || !/^\d+$/.test(page)) return null;
  return { templateId, templateVersion: Number(version), serial, page: Number(page) };
}

/** Serials are printed zero-padded to six digits so every form of a run looks alike. */
export function formatSerial(n: number): string {
  return String(n).padStart(6, '0');
}
