// Persistent volume claims: Pending too long (the provisioner's words from the newest
// ProvisioningFailed / FailedBinding event), Lost, or nearly full when the kubelet's stats could be
// read. A claim of a WaitForFirstConsumer class that no pod uses yet waits by design: not judged.
import { formatBytes, formatDuration, formatPct } from '../../format.ts';
import type { Finding, Status } from '../../../report.ts';
import { ageSeconds, finding, statusAbove, type KubeCheck } from '../check-context.ts';
import { objectEventKey } from '../cluster-snapshot.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import type { ClaimRecord } from '../resource-records.ts';

export const checkVolumes: KubeCheck = (ctx, t) => {
  const r = ctx.snapshot.resources;
  const full = ctx.target.volumeFullPct ?? { warn: 80, crit: 90 };
  const bad: Array<Finding & { label: string }> = [];
  let waitingForConsumer = 0;
  let unmeasured = 0;
  for (const c of r.claims) {
    const key = `${c.namespace}/${c.name}`;
    const label = objectLabel('persistentvolumeclaim', c);
    if (c.phase === 'Pending') {
      const className = c.noClass ? undefined : (c.storageClass ?? r.defaultStorageClass);
      const mode = className ? r.storageClasses.get(className) : undefined;
      if (mode === 'WaitForFirstConsumer' && !r.claimsInUse.has(key)) {
        waitingForConsumer += 1;
        continue;
      }
      const minutes = (ageSeconds(ctx, c.createdAt) ?? 0) / 60;
      const status = statusAbove(minutes, t);
      if (status === 'ok') continue;
      bad.push({ label, ...pendingFinding(ctx, c, label, status, minutes, className, mode) });
    } else if (c.phase === 'Lost') {
      bad.push({
        label,
        ...finding('volumes', 'crit', `${label}: Lost (its persistent volume is gone)`, {
          detail: `kubectl describe pvc ${c.name} -n ${c.namespace}`,
          fix: `restore the persistent volume the claim was bound to (from a backup or the storage system), or delete and recreate claim ${c.name}: its data is not reachable`,
        }),
      });
    } else if (c.phase === 'Bound' && r.claimsInUse.has(key)) {
      const usage = r.volumeUsage.get(key);
      if (!usage) {
        unmeasured += 1;
        continue;
      }
      const pct = Math.round((usage.usedBytes / usage.capacityBytes) * 1000) / 10;
      const status = statusAbove(pct, full);
      if (status === 'ok') continue;
      bad.push({
        label,
        ...finding('volumes', status, `${label}: ${formatPct(pct)} full (${formatBytes(usage.usedBytes)} of ${formatBytes(usage.capacityBytes)})`, {
          metrics: { used_pct: pct, used_bytes: usage.usedBytes, capacity_bytes: usage.capacityBytes },
          fix: `free space on the volume, or expand claim ${c.name} (raise spec.resources.requests.storage; its storage class must allow volume expansion)`,
        }),
      });
    }
  }
  const notReadable = unmeasured > 0 && r.volumeStatsProblem ? `fullness of ${unmeasured} mounted claims not readable: ${r.volumeStatsProblem}` : undefined;
  if (bad.length === 0) {
    const waiting = waitingForConsumer > 0 ? `; ${waitingForConsumer} wait for a first pod (WaitForFirstConsumer)` : '';
    // Fullness is claimed only where it was read.
    const judged = notReadable ? `pending longer than ${formatDuration(t.warn * 60)} or lost; fullness not read` : `pending longer than ${formatDuration(t.warn * 60)}, lost or nearly full`;
    return [finding('volumes', 'ok', `No volume claim ${judged} (${r.claimCount} claims${waiting})`, {
      ...(notReadable && { detail: notReadable }),
    })];
  }
  const findings = perObject('volumes', bad, 'volume claims');
  if (notReadable) findings[0]!.detail = [findings[0]!.detail, notReadable].filter(Boolean).join('\n');
  return findings;
};

function pendingFinding(ctx: Parameters<KubeCheck>[0], c: ClaimRecord, label: string, status: Status, minutes: number, className: string | undefined, mode: string | undefined): Finding {
  const events = ctx.snapshot.objectEvents;
  const event = [events.get(objectEventKey(c.namespace, 'PersistentVolumeClaim', c.name, 'ProvisioningFailed')), events.get(objectEventKey(c.namespace, 'PersistentVolumeClaim', c.name, 'FailedBinding'))]
    .filter((e) => e !== undefined)
    .sort((a, b) => (b.last?.getTime() ?? 0) - (a.last?.getTime() ?? 0))[0];
  const classWords = c.noClass ? 'no storage class (binds to a pre-provisioned volume)'
    : className ? `storage class ${className}${mode ? ` (${mode})` : ctx.snapshot.resources.storageClasses.size > 0 ? ' (no such storage class)' : ''}`
      : 'no storage class and no default class in the cluster';
  return finding('volumes', status, `${label}: Pending for ${formatDuration(minutes * 60)}${event ? ` (${event.reason})` : ''}`, {
    detail: [classWords, ...(event ? [`${event.reason}: ${event.message}`] : []), `kubectl describe pvc ${c.name} -n ${c.namespace}`].join('\n'),
    metrics: { minutes_pending: Math.round(minutes) },
    fix: className && mode === undefined && ctx.snapshot.resources.storageClasses.size > 0
      ? `create storage class ${className} or set an existing one on claim ${c.name} (kubectl get storageclass lists them)`
      : `read the provisioner's events on claim ${c.name} (quota, zone, capacity, a missing CSI driver) and fix what they name; a claim without a class needs a matching PersistentVolume`,
  });
}
