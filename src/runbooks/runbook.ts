export interface RunbookRemedy {
  action: string;
  label: string;
  params: Record<string, string | number>;
}

/** One troubleshooting topic, loaded from runbooks/<id>.md. */
export interface Runbook {
  id: string;
  title: string;
  summary: string;
  severityHint: 'info' | 'warn' | 'crit';
  symptoms: string[];
  /** Finding ids this runbook explains. */
  checks: string[];
  remedies: RunbookRemedy[];
  escalateAfter?: string;
  /** The markdown body: the steps. */
  body: string;
  file: string;
}
