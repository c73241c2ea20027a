import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  PasswordChangedEvent,
  SessionsEndedByAdminEvent,
  UserDisabledEvent,
} from '../users/user.events.js';
import { SessionsService } from './sessions.service.js';

/**
 * Ends sessions when the account changes under them: a new password signs out every other
 * device (whoever else was signed in may be the reason for the change), a disabled account all
 * of them. A deleted account's sessions go with its row (ON DELETE CASCADE).
 */
@Injectable()
export class UserEventsListener {
  constructor(private readonly sessions: SessionsService) {}

  @OnEvent(PasswordChangedEvent.event, { suppressErrors: false })
  async passwordChanged(event: PasswordChangedEvent): Promise<void> {
    await this.sessions.endAllForUser(
      event.userId,
      'password-changed',
      event.currentSessionId ?? undefined,
    );
  }

  @OnEvent(UserDisabledEvent.event, { suppressErrors: false })
  async userDisabled(event: UserDisabledEvent): Promise<void> {
    await this.sessions.endAllForUser(event.userId, 'disabled');
  }

  @OnEvent(SessionsEndedByAdminEvent.event, { suppressErrors: false })
  async sessionsEndedByAdmin(event: SessionsEndedByAdminEvent): Promise<void> {
    await this.sessions.endAllForUser(event.userId, 'ended-by-admin');
  }
}
