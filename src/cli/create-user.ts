import { ConfigService } from '@nestjs/config';
import { parseArgs } from 'node:util';
import { SignupDto } from '../auth/dto/signup.dto.js';
import { validationPipe } from '../common/validation.js';
import type { Settings } from '../config/settings.js';
import type { Role } from '../roles/roles.js';
import { AccountService } from '../users/account.service.js';
import { UserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { readPassword } from './read-password.js';
import { runCommand, withApplication } from './run-command.js';

const USAGE = `Usage: npm run user:create -- --email EMAIL [--username NAME] [--full-name NAME] [--admin] [--send-verification]
The password is prompted for, or read from standard input when it is piped.
The address counts as verified, unless --send-verification: then it is mailed a verification
link, as at signup, and stays unverified until the link is used.`;

/**
 * Creates a user (the first admin, typically) through the same validation and the same
 * preparation as POST /auth/signup, against the database DATABASE_URL names.
 */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      username: { type: 'string' },
      'full-name': { type: 'string' },
      admin: { type: 'boolean', default: false },
      'send-verification': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.email) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const password = await readPassword('Password: ');
  const signup = (await validationPipe.transform(
    {
      email: values.email,
      password,
      ...(values.username !== undefined && { username: values.username }),
      ...(values['full-name'] !== undefined && {
        fullName: values['full-name'],
      }),
    },
    { type: 'body', metatype: SignupDto },
  )) as SignupDto;

  return withApplication(async (app) => {
    const roles: Role[] = values.admin ? ['user', 'admin'] : ['user'];
    let user: User;
    if (values['send-verification']) {
      if (
        app
          .get<ConfigService<Settings, true>>(ConfigService)
          .get('users.EMAIL_VERIFICATION', { infer: true }) === 'off'
      ) {
        console.error(
          '--send-verification needs EMAIL_VERIFICATION=optional or required (it is off)',
        );
        return 2;
      }
      // The mail is written to the outbox with the account; this process or the server sends it.
      user = await app.get(AccountService).signUp(signup, { roles });
    } else {
      user = await app.get(UsersService).register(signup, roles);
    }
    console.log(JSON.stringify(UserDto.from(user), null, 2));
    return 0;
  });
}

runCommand(main);
