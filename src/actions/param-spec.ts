// How an action declares its parameters: every constraint a value must meet, checked at press time
// (validate-params.ts) and again by the executor before it puts a value into a request.

/**
 * A whole number from `min` to `max`: a JavaScript number that is a safe integer (never a string,
 * NaN, Infinity or -0). `accepts` says it in words for error messages.
 */
export interface IntegerParam {
  type: 'integer';
  min: number;
  max: number;
  accepts: string;
}

/**
 * Text of 1 to `maxLength` characters (and at most `maxBytes` UTF-8 bytes when set), never with a
 * NUL; when set, one of `enum` exactly and matching `pattern` (anchored). `accepts` says it in words.
 */
export interface StringParam {
  type: 'string';
  maxLength: number;
  maxBytes?: number;
  pattern?: RegExp;
  enum?: readonly string[];
  accepts: string;
}

/** A parameter's declaration: its type and every constraint a value must meet, checked at press time. */
export type ParamSpec = IntegerParam | StringParam;
