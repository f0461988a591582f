// The validate stage's second reference table: the trust's staff list as imported into the job (`validate --roster`).
// Over the job's one connection; an import replaces the whole list in one transaction.
import { StageStore } from './store-core.ts';

/** What the staff list says of one member of staff: the facts a form also carries. */
export interface RosterEntry {
  staffNumber: string;
  /** The name as the list gives it, upper case with single spaces. */
  name: string | null;
  /** The HCPC registration number, upper case, no spaces (paramedics). */
  hcpcNumber: string | null;
  line: number;
}

/** The member of staff a staff number names, or undefined. */
export type RosterLookup = (staffNumber: string) => RosterEntry | undefined;

interface RosterRowDb {
  staff_number: string;
  name: string | null;
  hcpc_number: string | null;
  line: number;
}

export class RosterStore extends StageStore {
  /** Put this list in place of the one imported before (all in the caller's transaction, or its own). */
  replaceAll(entries: Iterable<RosterEntry>): number {
    return this.core.inTransaction(() => {
      this.db.prepare('DELETE FROM staff_roster').run();
      const insert = this.db.prepare('INSERT OR IGNORE INTO staff_roster (staff_number, name, hcpc_number, line) VALUES (?, ?, ?, ?)');
      let n = 0;
      for (const e of entries) n += insert.run(e.staffNumber, e.name, e.hcpcNumber, e.line).changes;
      return n;
    });
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM staff_roster').get() as { n: number }).n;
  }

  /** A lookup over the imported list (undefined when none was imported: no staff-list evidence then). */
  lookup(): RosterLookup | undefined {
    if (this.count() === 0) return undefined;
    const get = this.db.prepare('SELECT * FROM staff_roster WHERE staff_number = ?');
    return (staffNumber) => {
      const r = get.get(staffNumber) as RosterRowDb | undefined;
      return r && { staffNumber: r.staff_number, name: r.name, hcpcNumber: r.hcpc_number, line: r.line };
    };
  }
}
