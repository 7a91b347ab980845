// The output a failed child process left (execFile's error carries it as a string or a Buffer), as text
// for an error message.

export function outputText(output: unknown): string {
  if (typeof output === 'string') return output.trim();
  if (Buffer.isBuffer(output)) return output.toString().trim();
  return '';
}
