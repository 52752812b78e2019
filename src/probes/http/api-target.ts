// The target of a JSON-API kind (prometheus, alertmanager): its base URL and the headers it needs.
import { z } from 'zod';
import type { KindTarget } from '../probe-definition.ts';

export const apiTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// base URL' }).describe('base URL'),
  headers: z
    .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'), z.string().regex(/^[^\r\n]*$/, 'a header value is one line'))
    .optional()
    .describe('a map of header names and values (use `${VAR}` for tokens)'),
});

export type ApiTarget = KindTarget<typeof apiTargetSchema>;
