// The serial printed in words, for a page whose QR code is lost: both places it is printed must read, and agree,
// before a page is put in a form (a 1-bit fax header read 070036 as 070086 while its footer read right).
import { describe, expect, it } from 'vitest';
import { agreedIdentity, parsePrintedSerial } from '../src/recognition/printed-serial.ts';

describe('printed serial', () => {
  it('reads the header and footer lines as tesseract gives them', () => {
    expect(parsePrintedSerial('Form 070086 / page 1 of 2 Incident, crew, patient, clinical: - standard-p')).toEqual({ serial: '070086', page: 1 });
    expect(parsePrintedSerial('Form 070036 / page.1')).toEqual({ serial: '070036', page: 1 });
    expect(parsePrintedSerial('Form O7OO36 / page 2')).toEqual({ serial: '070036', page: 2 });
    expect(parsePrintedSerial('Forrh 070031 / page 2')).toEqual({ serial: '070031', page: 2 });
    expect(parsePrintedSerial("Form'070196 / page 2")).toEqual({ serial: '070196', page: 2 });
    expect(parsePrintedSerial('. Form070160°/ page2')).toEqual({ serial: '070160', page: 2 });
    // The page number read as a letter: the serial still reads; the layout says which page it is.
    expect(parsePrintedSerial('Form 070121 / pagel')).toEqual({ serial: '070121', page: null });
    expect(parsePrintedSerial('Fonn 0700 / pag')).toBeNull();
    expect(parsePrintedSerial('Form 07603% 7 page 1')).toBeNull();
    // Two runs of digits: which is the serial is not for the parser to guess.
    expect(parsePrintedSerial('Form 070031 070032 / page 1')).toBeNull();
  });

  it('takes an identity only when every printed place gave the same one', () => {
    const a = { serial: '070036', page: 1 };
    expect(agreedIdentity([a, { ...a }])).toEqual(a);
    expect(agreedIdentity([{ serial: '070086', page: 1 }, a])).toBeNull();
    expect(agreedIdentity([a, { serial: '070036', page: 2 }])).toBeNull();
    expect(agreedIdentity([a, { serial: '070036', page: null }])).toEqual(a);
    expect(agreedIdentity([{ serial: '070036', page: null }, { serial: '070036', page: null }])).toEqual({ serial: '070036', page: null });
    // One place unread: the other alone could be the misread one.
    expect(agreedIdentity([a, null])).toBeNull();
    expect(agreedIdentity([null, a])).toBeNull();
    expect(agreedIdentity([])).toBeNull();
  });
});
