import { ConfigService } from '@nestjs/config';
import {
  FEATURE_SETTINGS,
  type Settings,
  type Variables,
} from '../../src/config/settings.js';
import { variablesOf } from '../../src/config/setting-helpers.js';

/**
 * A real ConfigService holding exactly these settings, for unit specs of one service. They are
 * given by variable name, as in the environment, and served under each one's feature namespace.
 */
export const configWith = (
  variables: Partial<Record<keyof Variables, unknown>>,
): ConfigService<Settings, true> => {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const { namespace, schema } of FEATURE_SETTINGS) {
    for (const name of variablesOf(schema)) {
      if (name in variables)
        (settings[namespace] ??= {})[name] = variables[name as keyof Variables];
    }
  }
  return new ConfigService<Settings, true>(settings);
};
