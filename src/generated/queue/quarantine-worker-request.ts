/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export interface QuarantineWorkerRequest {
  quarantineUntil: string;
  quarantineInfo?: string;
}
