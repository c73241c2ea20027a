/**
 * The assurance each sensitive action needs: one table, which routes name (`@Auth(scope,
 * { sensitive: 'add-passkey' })`) and `BearerAuthenticationService` enforces (RFC 9470 step-up).
 * docs/security.md shows it; a test walks every route's metadata against it.
 */

/** "Recent": the sign-in behind the token (`auth_time`) is at most this old. */
export const RECENT_SIGN_IN_SECONDS = 15 * 60;

/** The `amr` values that show a second factor: a one-time code, or a passkey. */
export const SECOND_FACTOR_METHODS = ['otp', 'hwk', 'swk'] as const;

export interface AssuranceRequirement {
  /** The sign-in is at most `RECENT_SIGN_IN_SECONDS` old. */
  readonly recent: boolean;
  /**
   * When the account has a second factor (TOTP on, or a passkey), the sign-in used one: an
   * attacker who knows only the password cannot do this even from a fresh password sign-in.
   */
  readonly secondFactor: boolean;
  /** The requirement holds only for requests whose body has this field. */
  readonly whenBodyHas?: string;
}

const RECENT_WITH_SECOND_FACTOR: AssuranceRequirement = {
  recent: true,
  secondFactor: true,
};

export const SENSITIVE_ACTIONS = {
  'add-passkey': RECENT_WITH_SECOND_FACTOR,
  'remove-passkey': RECENT_WITH_SECOND_FACTOR,
  'turn-on-totp': RECENT_WITH_SECOND_FACTOR,
  'turn-off-totp': RECENT_WITH_SECOND_FACTOR,
  'replace-recovery-codes': RECENT_WITH_SECOND_FACTOR,
  'change-password': RECENT_WITH_SECOND_FACTOR,
  'change-email': { ...RECENT_WITH_SECOND_FACTOR, whenBodyHas: 'email' },
  'delete-account': RECENT_WITH_SECOND_FACTOR,
  /** Every admin write on another account. */
  'administer-account': RECENT_WITH_SECOND_FACTOR,
  /** Admin reads: the second factor, however long ago. */
  'read-accounts': { recent: false, secondFactor: true },
  /** Registering or removing an application that signs users in. */
  'administer-clients': RECENT_WITH_SECOND_FACTOR,
  'read-clients': { recent: false, secondFactor: true },
} as const satisfies Record<string, AssuranceRequirement>;

export type SensitiveAction = keyof typeof SENSITIVE_ACTIONS;

/** Whether a sign-in's `amr` shows a second factor. */
export const hasSecondFactor = (amr: readonly string[]): boolean =>
  SECOND_FACTOR_METHODS.some((method) => amr.includes(method));

/** The requirement in words, for OpenAPI. */
export function describeAssurance(action: SensitiveAction): string {
  const requirement: AssuranceRequirement = SENSITIVE_ACTIONS[action];
  const needs = [
    ...(requirement.secondFactor
      ? [
          'a sign-in with a second factor when the account has one (TOTP or a passkey)',
        ]
      : []),
    ...(requirement.recent
      ? [`a sign-in at most ${RECENT_SIGN_IN_SECONDS / 60} minutes old`]
      : []),
  ];
  const when = requirement.whenBodyHas
    ? ` (when the body has \`${requirement.whenBodyHas}\`)`
    : '';
  return `\`${action}\`${when} needs ${needs.join(' and ')}`;
}
