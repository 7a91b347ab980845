// Timestamps from the queue. A claim's top-level `takenUntil` may be written `...+00:00` while status and
// reclaim use `...Z`; both are ISO 8601, parsed here in one place so nothing else has to care.

/** Milliseconds since the epoch; throws on a value that is not an ISO 8601 date-time with a zone. */
export function parseQueueTime(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    throw new Error(`not an ISO 8601 date-time with a time zone: ${JSON.stringify(value)}`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a valid date-time: ${JSON.stringify(value)}`);
  return ms;
}
