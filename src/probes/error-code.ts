// The code of a driver or socket error (ECONNREFUSED, 28P01, WRONGPASS...), wherever it sits.
export function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  // Node reports a failed connect to every address of a name (::1 and 127.0.0.1) as an AggregateError.
  const errors = (e as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const inner of errors) {
    const c = errorCode(inner);
    if (c) return c;
  }
  const cause = (e as { cause?: unknown }).cause;
  return cause !== undefined && cause !== e ? errorCode(cause) : undefined;
}
