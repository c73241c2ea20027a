/**
 * What the user store announces (through `@nestjs/event-emitter`) to modules that keep state
 * about a user, so that `users` does not depend on them. Emitted with `emitAsync` and handled
 * with `suppressErrors: false`: the request that caused the event answers only after every
 * listener has finished, and fails if one fails.
 */
export class PasswordChangedEvent {
  static readonly event = 'user.password-changed';
  constructor(
    readonly userId: string,
    /** The session the change was made from, which stays signed in; null ends them all. */
    readonly currentSessionId: string | null,
  ) {}
}

export class UserDisabledEvent {
  static readonly event = 'user.disabled';
  constructor(readonly userId: string) {}
}

/** An administrator signed the user out everywhere. */
export class SessionsEndedByAdminEvent {
  static readonly event = 'user.sessions-ended-by-admin';
  constructor(readonly userId: string) {}
}
