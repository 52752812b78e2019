// One instant query's answer judged against its thresholds, without keeping it: every series is
// counted, only the few worst are kept (a query returning 100,000 series costs one pass and five
// slots, never a list of 100,000 lines).
import type { Status } from '../../report.ts';
import type { PromQuery } from './query-config.ts';

/** How many series a finding names. */
export const TOP_SERIES = 5;

export interface Series {
  labels: Record<string, string>;
  value: number;
}

export interface QueryVerdict {
  status: Status;
  /** Series in the answer, series at or past warn, series at or past crit, series whose value is NaN. */
  total: number;
  crossing: number;
  critical: number;
  nan: number;
  /** The worst series (NaN never is), or undefined when there is none with a number. */
  worst?: Series;
  /** The worst series, worst first, at most TOP_SERIES. */
  top: Series[];
}

/** Prometheus writes sample values as strings: "1.5", "NaN", "+Inf", "-Inf". */
export function sampleValue(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  return text.trim() !== '' && !Number.isNaN(n) ? n : undefined;
}

export class QueryJudge {
  readonly #q: Pick<PromQuery, 'warn' | 'crit' | 'direction'>;
  #total = 0;
  #crossing = 0;
  #critical = 0;
  #nan = 0;
  readonly #top: Series[] = [];

  constructor(q: Pick<PromQuery, 'warn' | 'crit' | 'direction'>) {
    this.#q = q;
  }

  /** True when `a` is worse than `b` for this query's direction. */
  #worse(a: number, b: number): boolean {
    return this.#q.direction === 'above' ? a > b : a < b;
  }

  #at(value: number, threshold: number): boolean {
    return this.#q.direction === 'above' ? value >= threshold : value <= threshold;
  }

  add(labels: Record<string, string>, value: number): void {
    this.#total++;
    if (Number.isNaN(value)) {
      this.#nan++;
      return;
    }
    if (this.#at(value, this.#q.warn) || this.#at(value, this.#q.crit)) this.#crossing++;
    if (this.#at(value, this.#q.crit)) this.#critical++;
    // Insertion into a list of at most TOP_SERIES, worst first; the labels are kept only there.
    const top = this.#top;
    if (top.length === TOP_SERIES && !this.#worse(value, top[top.length - 1]!.value)) return;
    let i = top.length;
    while (i > 0 && this.#worse(value, top[i - 1]!.value)) i--;
    top.splice(i, 0, { labels, value });
    if (top.length > TOP_SERIES) top.pop();
  }

  verdict(): QueryVerdict {
    const status: Status = this.#critical > 0 ? 'crit' : this.#crossing > 0 ? 'warn' : 'ok';
    return {
      status,
      total: this.#total,
      crossing: this.#crossing,
      critical: this.#critical,
      nan: this.#nan,
      ...(this.#top[0] && { worst: this.#top[0] }),
      top: [...this.#top],
    };
  }
}
