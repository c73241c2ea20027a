import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Auth } from '../access/auth.decorator.js';
import { CurrentUser } from '../access/current-user.decorator.js';
import type { UserPrincipal } from '../access/principal.js';
import { ConsentsService } from '../authorization/consents.service.js';
import { ClientsService } from '../clients/clients.service.js';
import { NoStore } from '../common/no-store.decorator.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { ConsentDto } from './dto/consent.dto.js';

/** The third-party applications a user has allowed on the consent page, and taking them back. */
@ApiTags('auth')
@Controller('auth/consents')
export class ConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly clients: ClientsService,
  ) {}

  @Get()
  @Auth('account')
  @NoStore()
  @ApiOperation({ summary: 'The applications you have allowed, newest first' })
  @ApiOkResponse({ type: ConsentDto, isArray: true })
  async list(@CurrentUser() principal: UserPrincipal): Promise<ConsentDto[]> {
    const consents = await this.consents.listForUser(principal.userId);
    const names = await this.clients.namesOf(
      consents.map((consent) => consent.clientId),
    );
    return consents.map((consent) => ({
      clientId: consent.clientId,
      clientName: names.get(consent.clientId) ?? consent.clientId,
      scope: consent.scope,
      grantedAt: consent.createdAt.toISOString(),
      updatedAt: consent.updatedAt.toISOString(),
    }));
  }

  @Delete(':clientId')
  @Auth('account')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary:
      "Take back an application's access: it must ask again, and its sessions of yours end at once",
  })
  @ApiNoContentResponse({ description: 'Taken back' })
  @ApiNotFoundResponse({
    description: 'You have not allowed this application',
    type: ProblemDetailsDto,
  })
  async revoke(
    @CurrentUser() principal: UserPrincipal,
    @Param('clientId') clientId: string,
  ): Promise<void> {
    if (!(await this.consents.revoke(principal.userId, clientId)))
      throw new NotFoundException('No consent for this application');
  }
}
