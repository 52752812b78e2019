// The target keys of the backups, indexes, bloat and checkpoints checks: the backup freshness query
// (`backupCheck`) and the sizes and counts below which a table or a counter is not judged
// (`limits`). The schemas are part of the postgres target schema; the checks read the parsed values.
import { z } from 'zod';
import { DURATION_FORMS, parseDuration } from '../../parse-duration.ts';

/** Sizes and counts that decide what is looked at; numbers with their unit in the key's name. */
export interface Limits {
  /** A table with fewer live rows is never a missing index. */
  missingIndexRows: number;
  /** Rows a sequential scan of it reads on average, at least, to call it a missing index. */
  rowsPerSeqScan: number;
  /** Tables smaller than this (MB) are not estimated for bloat. */
  bloatTableMb: number;
  /** Fewer checkpoints than this are too few to judge the share of requested ones. */
  minCheckpoints: number;
}

const DEFAULT_LIMITS: Readonly<Limits> = {
  missingIndexRows: 100_000,
  rowsPerSeqScan: 10_000,
  bloatTableMb: 1024,
  minCheckpoints: 10,
};

export interface BackupCheck {
  query: string;
  /** As written ("26h"). */
  maxAge: string;
  maxAgeS: number;
}

export interface DepthSettings {
  backupCheck?: BackupCheck;
  limits: Limits;
}

/** Seconds of a positive duration ("90m", "26h", "2d", "1h30m"); undefined when it is none. */
function maxAgeSeconds(text: string): number | undefined {
  const ms = parseDuration(text);
  return ms !== undefined && ms > 0 ? ms / 1000 : undefined;
}

export const backupCheckSchema = z
  .strictObject({
    query: z
      .string()
      .trim()
      .min(1, { message: 'must be one SQL statement returning the newest backup time (timestamptz) in its first column' })
      .describe('one SELECT returning the time of the newest good backup (timestamptz, first column of the first row); run read-only under the probe\'s statement timeout'),
    maxAge: z
      .string()
      .refine((v) => maxAgeSeconds(v) !== undefined, { message: `must be ${DURATION_FORMS}, over 0` })
      .describe('age of the newest backup that is still fine, like 26h: older is a warning, over twice as old is critical'),
  })
  .optional()
  .describe('optional: how to read the newest backup\'s time from the database (a backup tool\'s catalogue table), and its maximum age');

const positive = (what: string) => z.number().positive({ message: `must be a positive number (${what})` }).optional();

export const limitsSchema = z
  .strictObject({
    missingIndexRows: positive('live rows').describe(`a table needs this many live rows to be a missing-index suspect (default ${DEFAULT_LIMITS.missingIndexRows})`),
    rowsPerSeqScan: positive('rows per sequential scan').describe(`and its sequential scans must read this many rows each on average (default ${DEFAULT_LIMITS.rowsPerSeqScan})`),
    bloatTableMb: positive('MB').describe(`tables smaller than this many MB are not estimated for bloat (default ${DEFAULT_LIMITS.bloatTableMb})`),
    minCheckpoints: positive('checkpoints').describe(`fewer checkpoints than this are too few to judge the requested share (default ${DEFAULT_LIMITS.minCheckpoints})`),
  })
  .optional()
  .describe('optional: sizes and counts below which the indexes, bloat and checkpoints checks do not judge');

/** The settings of a parsed target (its keys may be absent: a target built by the CLI has none). */
export function depthSettings(target: { backupCheck?: { query: string; maxAge: string } | undefined; limits?: Partial<Limits> | undefined }): DepthSettings {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const v = target.limits?.[key];
    if (typeof v === 'number' && v > 0) limits[key] = v;
  }
  const settings: DepthSettings = { limits };
  const maxAgeS = target.backupCheck ? maxAgeSeconds(target.backupCheck.maxAge) : undefined;
  if (target.backupCheck && maxAgeS !== undefined) {
    settings.backupCheck = { query: target.backupCheck.query, maxAge: target.backupCheck.maxAge.trim(), maxAgeS };
  }
  return settings;
}
