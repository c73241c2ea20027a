import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { NoStore } from '../common/no-store.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import { SessionDto } from './dto/session.dto.js';
import type { UserPrincipal } from '../access/principal.js';

@ApiTags('auth')
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Auth('account')
  @NoStore()
  @ApiOperation({
    summary: 'Your active sessions (devices), most recently used first',
  })
  @ApiOkResponse({ type: SessionDto, isArray: true })
  async list(@CurrentUser() principal: UserPrincipal): Promise<SessionDto[]> {
    const sessions = await this.sessions.listActive(principal.userId);
    return sessions.map((session) =>
      SessionDto.from(session, principal.sessionId),
    );
  }

  @Delete(':id')
  @Auth('account')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End one of your sessions; its tokens stop working at once',
  })
  @ApiNoContentResponse({ description: 'Ended' })
  @ApiNotFoundResponse({
    description: 'No such active session of yours',
    type: ProblemDetailsDto,
  })
  async end(
    @CurrentUser() principal: UserPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    if (!(await this.sessions.endOwn(principal.userId, id, 'revoked'))) {
      throw new NotFoundException('Session not found');
    }
  }
}
