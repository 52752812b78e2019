// What people said of an alert episode, in the words its message and the presser's answer use.

/** "Marked noise by 2, useful by 1"; "No votes" when nobody pressed. */
export function voteCountsText(c: { noise: number; useful: number }): string {
  const parts: string[] = [];
  if (c.noise > 0) parts.push(`noise by ${c.noise}`);
  if (c.useful > 0) parts.push(`useful by ${c.useful}`);
  return parts.length > 0 ? `Marked ${parts.join(', ')}` : 'No votes';
}
