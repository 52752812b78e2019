// Words for the part of a target a run looks at, as its kind says it (" (namespace payments)"
// for a k8s target narrowed to one namespace), or "" when the run looks at all of it.
import type { Target } from '../config/config.ts';
import { findProbe } from './probe-registry.ts';

export function describeScope(target: Target): string {
  // A target kept for a configuration problem may lack the keys its kind would read.
  if (target.configProblem !== undefined) return '';
  return findProbe(target.kind)?.describeScope?.(target) ?? '';
}
