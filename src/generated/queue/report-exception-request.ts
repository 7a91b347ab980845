/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export interface ReportExceptionRequest {
  reason:
    'worker-shutdown' | 'malformed-payload' | 'resource-unavailable' | 'internal-error' | 'intermittent-task';
}
