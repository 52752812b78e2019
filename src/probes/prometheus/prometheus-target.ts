// The target of the prometheus kind: the JSON-API target (base URL, headers) plus its PromQL
// checks (`queries:`, `queryPacks:`), each item checked at load with its key named.
import { z } from 'zod';
import type { KindTarget } from '../probe-definition.ts';
import { apiTargetSchema } from '../http/api-target.ts';
import { checkQueryConfig, queryKeys } from './query-config.ts';

export const prometheusTargetSchema = z.object({ ...apiTargetSchema.shape, ...queryKeys }).superRefine(checkQueryConfig);

export type PrometheusTarget = KindTarget<typeof prometheusTargetSchema>;
