export interface RunbookRemedy {
  action: string;
  label: string;
  params: Record<string, string | number>;
}

export interface RunbookEvidence {
  check: string;
  confirms: 'warn' | 'crit';
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
  /**
   * The checks whose findings confirm or rule out this problem (for /triage): every id of `checks`
   * (confirmed at warn) and those of the front matter's `evidence`, each with the least status
   * that confirms it. An ok finding of one of them rules the problem out on that target.
   */
  evidence: RunbookEvidence[];
  /** Steps no probe reaches, for a person: a vendor console, a code change. */
  manual: string[];
  /** The markdown body: the steps. */
  body: string;
  file: string;
}
