// A URL part percent-decoded, or as written when it is not valid percent-encoding: a URL's user,
// password or path segment never throws on its way to a header or a mask.
export function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
