import { Controller, Get, Post, Req, UseGuards } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import {
  IntrospectionGuard,
  Scopes,
  ScopesGuard,
  WardenJwtGuard,
} from '../auth/guards.js';

/** An API of its own that trusts Warden's tokens: what a team would build next to Warden. */
@Controller('notes')
@UseGuards(WardenJwtGuard, ScopesGuard)
export class NotesController {
  /** Verified locally (JWKS): fast, and good until the token expires. */
  @Get()
  @Scopes('todos:read')
  list(@Req() request: { user: Caller }) {
    return {
      owner: request.user.subject,
      boundTo: request.user.dpopKey,
      notes: ['Buy milk', 'Call Ada'],
    };
  }

  /** A route where a logout at Warden must count at once: Warden is asked (introspection). */
  @Post('publish')
  @Scopes('todos:write')
  @UseGuards(IntrospectionGuard)
  publish(@Req() request: { user: Caller }) {
    return { published: true, by: request.user.subject };
  }
}
