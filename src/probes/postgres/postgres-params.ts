// The parameters of the PostgreSQL actions, declared once for the buttons, the press-time check
// and the executors' own check before a value reaches SQL.
import type { IntegerParam, StringParam } from '../../actions/param-spec.ts';

/** A PostgreSQL backend pid: a positive 32-bit integer. */
export const PG_PID: IntegerParam = { type: 'integer', min: 1, max: 2_147_483_647, accepts: 'a positive integer up to 2147483647 (a backend pid)' };

/** A database, schema or table name: PostgreSQL keeps 63 bytes of an identifier; NUL is never allowed. */
export const PG_IDENTIFIER: StringParam = { type: 'string', maxLength: 63, maxBytes: 63, accepts: 'a PostgreSQL identifier: 1 to 63 bytes, no NUL' };
