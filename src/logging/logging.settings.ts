import { IsIn } from 'class-validator';
import { defineSettings } from '../config/setting-helpers.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;

/** What the log keeps. docs/configuration.md lists each variable. */
export class LoggingSettings {
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}

export const loggingSettings = defineSettings('logging', LoggingSettings);
