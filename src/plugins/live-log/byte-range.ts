// The one Range form a growing log can honour: `bytes=N-` (resume from byte N). Anything else is ignored
// and the whole log is served, which RFC 9110 allows.

/** The start offset of a `bytes=N-` header, or undefined for no header or a form we do not serve. */
export function resumeOffset(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d{1,15})\s*-\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  return Number(match[1]);
}
