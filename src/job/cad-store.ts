// The validate stage's reference table: the trust's CAD incident log as imported into the job (`validate --cad`).
// Over the job's one connection; an import replaces the whole log in one transaction.
import { StageStore } from './store-core.ts';

/** What the CAD log says of one incident: the facts a form also carries. */
export interface CadIncidentFacts {
  incidentNumber: string;
  incidentDate: string | null;
  /** HH:MM. */
  callReceived: string | null;
  callSign: string | null;
  /** The incident's location postcode, upper case with its one space ("SO16 6YD"). */
  postcode: string | null;
  /** The ODS site code the patient was taken to, where the log records one. */
  destination: string | null;
  /** The vehicle's fleet number. */
  fleetNumber: string | null;
  line: number;
}

/** The CAD incident an incident number names, or undefined. */
export type CadLookup = (incidentNumber: string) => CadIncidentFacts | undefined;

interface CadRowDb {
  incident_number: string;
  incident_date: string | null;
  call_received: string | null;
  call_sign: string | null;
  postcode: string | null;
  destination: string | null;
  fleet_number: string | null;
  line: number;
}

export class CadStore extends StageStore {
  /** Put this log in place of the one imported before (all in the caller's transaction, or its own). */
  replaceAll(incidents: Iterable<CadIncidentFacts>): number {
    return this.core.inTransaction(() => {
      this.db.prepare('DELETE FROM cad_incidents').run();
      const insert = this.db.prepare(
        'INSERT OR IGNORE INTO cad_incidents (incident_number, incident_date, call_received, call_sign, postcode, destination, fleet_number, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      let n = 0;
      for (const c of incidents) n += insert.run(c.incidentNumber, c.incidentDate, c.callReceived, c.callSign, c.postcode, c.destination, c.fleetNumber, c.line).changes;
      return n;
    });
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM cad_incidents').get() as { n: number }).n;
  }

  /** A lookup over the imported log (undefined when none was imported: no CAD evidence then). */
  lookup(): CadLookup | undefined {
    if (this.count() === 0) return undefined;
    const get = this.db.prepare('SELECT * FROM cad_incidents WHERE incident_number = ?');
    return (incidentNumber) => {
      const r = get.get(incidentNumber) as CadRowDb | undefined;
      return r && {
        incidentNumber: r.incident_number,
        incidentDate: r.incident_date,
        callReceived: r.call_received,
        callSign: r.call_sign,
        postcode: r.postcode,
        destination: r.destination,
        fleetNumber: r.fleet_number,
        line: r.line,
      };
    };
  }
}
