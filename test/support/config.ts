import { ConfigService } from '@nestjs/config';
import type { Config } from '../../src/config/environment.js';

/** A real ConfigService holding exactly these settings, for unit specs of one service. */
export const configWith = (
  settings: Partial<Record<keyof Config, unknown>>,
): ConfigService<Config, true> =>
  new ConfigService<Config, true>(settings as Record<string, unknown>);
