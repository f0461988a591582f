// NEWS2 (Royal College of Physicians, 2017): per-parameter sub-scores and the total, as DOMAIN.md tabulates them.
// A recomputed total that differs from the crew's written one points at a misread observation.
import type { ObservationSet } from './schema.ts';

export type News2Parameter =
  | 'respiratoryRate'
  | 'spo2'
  | 'inspired'
  | 'systolicBp'
  | 'pulse'
  | 'consciousness'
  | 'temperature';

export const NEWS2_PARAMETERS: readonly News2Parameter[] = [
  'respiratoryRate',
  'spo2',
  'inspired',
  'systolicBp',
  'pulse',
  'consciousness',
  'temperature',
];

export function respiratoryRateScore(rr: number): number {
  if (rr <= 8) return 3;
  if (rr <= 11) return 1;
  if (rr <= 20) return 0;
  if (rr <= 24) return 2;
  return 3;
}

/** SpO2 scale 1 (the usual scale). */
export function spo2Scale1Score(spo2: number): number {
  if (spo2 <= 91) return 3;
  if (spo2 <= 93) return 2;
  if (spo2 <= 95) return 1;
  return 0;
}

/** SpO2 scale 2 (hypercapnic respiratory failure): high saturations score only when on oxygen. */
export function spo2Scale2Score(spo2: number, inspired: 'air' | 'oxygen'): number {
  if (spo2 <= 83) return 3;
  if (spo2 <= 85) return 2;
  if (spo2 <= 87) return 1;
  if (spo2 <= 92) return 0;
  if (inspired === 'air') return 0;
  if (spo2 <= 94) return 1;
  if (spo2 <= 96) return 2;
  return 3;
}

export function inspiredScore(inspired: 'air' | 'oxygen'): number {
  return inspired === 'oxygen' ? 2 : 0;
}

export function systolicBpScore(sbp: number): number {
  if (sbp <= 90) return 3;
  if (sbp <= 100) return 2;
  if (sbp <= 110) return 1;
  if (sbp <= 219) return 0;
  return 3;
}

export function pulseScore(hr: number): number {
  if (hr <= 40) return 3;
  if (hr <= 50) return 1;
  if (hr <= 90) return 0;
  if (hr <= 110) return 1;
  if (hr <= 130) return 2;
  return 3;
}

export function consciousnessScore(acvpu: string): number {
  return acvpu === 'A' ? 0 : 3;
}

/** Temperature in Celsius; bands are at one decimal, so the value is rounded to one decimal first. */
export function temperatureScore(tempC: number): number {
  const t = Math.round(tempC * 10) / 10;
  if (t <= 35.0) return 3;
  if (t <= 36.0) return 1;
  if (t <= 38.0) return 0;
  if (t <= 39.0) return 1;
  return 2;
}

/** Per-parameter NEWS2 sub-scores and total; null total when any parameter needed is missing. */
export function news2Score(obs: ObservationSet): {
  total: number | null;
  parts: Partial<Record<News2Parameter, number>>;
} {
  const parts: Partial<Record<News2Parameter, number>> = {};
  if (obs.respiratoryRate !== undefined) parts.respiratoryRate = respiratoryRateScore(obs.respiratoryRate);
  if (obs.spo2 !== undefined) {
    if (obs.spo2Scale === 2) {
      // Scale 2 above 92 depends on air or oxygen; without it the sub-score is unknown.
      if (obs.spo2 <= 92) parts.spo2 = spo2Scale2Score(obs.spo2, 'air');
      else if (obs.inspired !== undefined) parts.spo2 = spo2Scale2Score(obs.spo2, obs.inspired);
    } else {
      parts.spo2 = spo2Scale1Score(obs.spo2);
    }
  }
  if (obs.inspired !== undefined) parts.inspired = inspiredScore(obs.inspired);
  if (obs.systolicBp !== undefined) parts.systolicBp = systolicBpScore(obs.systolicBp);
  if (obs.pulse !== undefined) parts.pulse = pulseScore(obs.pulse);
  if (obs.acvpu !== undefined) parts.consciousness = consciousnessScore(obs.acvpu);
  if (obs.temperature !== undefined) parts.temperature = temperatureScore(obs.temperature);

  const complete = NEWS2_PARAMETERS.every((p) => parts[p] !== undefined);
  const total = complete ? NEWS2_PARAMETERS.reduce((sum, p) => sum + (parts[p] ?? 0), 0) : null;
  return { total, parts };
}
