import { Transform } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import {
  defineSettings,
  DURATION,
  toDuration,
} from '../config/setting-helpers.js';

/** The database: SQLite by default, PostgreSQL when DATABASE_URL says so. docs/configuration.md lists each variable. */
export class DatabaseSettings {
  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message:
      '$property must be sqlite:<file>, sqlite::memory: or postgres://user@host:port/database',
  })
  DATABASE_URL = 'sqlite:data/warden.sqlite';

  // How long start-up waits for a database that cannot be reached yet (one line per attempt).
  @Transform(toDuration)
  @IsInt(DURATION)
  @Min(0)
  @Max(600)
  DATABASE_CONNECT_TIMEOUT = 10;
}

export const databaseSettings = defineSettings('database', DatabaseSettings);
