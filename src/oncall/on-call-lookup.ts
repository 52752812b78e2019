// "The current on-call of a rotation" for whoever needs a person to page: the schedule from the
// config with the stored overrides applied.
import type { OverrideStore } from './override-store.ts';
import { onCallAt, shiftAt, type OnCallShift, type Rotation } from './rotation.ts';

export interface OnCallLookup {
  /** Undefined for an unknown rotation, or one without members and no override in force. */
  onCallAt(rotation: string, at: Date): Promise<OnCallShift | undefined>;
}

export function createOnCallLookup(rotations: readonly Rotation[], overrides: OverrideStore): OnCallLookup {
  const byName = new Map(rotations.map((r) => [r.name, r]));
  return {
    async onCallAt(name, at) {
      const rotation = byName.get(name);
      if (!rotation) return undefined;
      // The scheduled shift bounds the overrides that can matter; without members, those in force.
      const scheduled = shiftAt(rotation, at);
      const found = scheduled
        ? await overrides.covering(name, scheduled.from, scheduled.until)
        : await overrides.active(name, at);
      return onCallAt(rotation, at, found);
    },
  };
}
