// Words for the part of a target a run looks at, as its kind says it (" (namespace payments)"
// for a k8s target narrowed to one namespace), or "" when the run looks at all of it.
import type { Target } from '../config/config.ts';
import { findProbe } from './probe-registry.ts';

export function describeScope(target: Target): string {
  return findProbe(target.kind)?.describeScope?.(target) ?? '';
}
