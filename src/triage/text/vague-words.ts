// Words that say something is wrong but not what: "broken", "failing", "errors", "after the deploy".
// They still match, so "stripe payments failing" prefers the runbook about failing payments, but a
// message made of them alone ("something is broken", "it doesn't work") proves little about any
// runbook, however rare the word is in the runbooks.

export const VAGUE_WORDS: ReadonlySet<string> = new Set(
  `broken break breaks breaking work works working worked fail fails failing failed failure failures error errors
  erroring wrong weird strange odd bad badly unstable flaky flakey degraded problem issue trouble troubles
  deploy deploys deployed deploying deployment release released releasing update updated updates upgrade upgraded
  change changed changes happen anymore since after before today`.split(/\s+/).filter(Boolean),
);
