/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export type Priority = 'highest' | 'very-high' | 'high' | 'medium' | 'low' | 'very-low' | 'lowest' | 'normal';
