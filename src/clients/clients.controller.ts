import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Auth } from '../access/auth.decorator.js';
import { NoStore } from '../common/no-store.decorator.js';
import {
  ApiPageResponse,
  PaginationQueryDto,
  sendPage,
} from '../common/pagination.dto.js';
import { ProblemDetailsDto } from '../problems/problem-details.dto.js';
import { ClientsService } from './clients.service.js';
import { ClientDto } from './dto/client.dto.js';
import { CreateClientDto } from './dto/create-client.dto.js';

/** The registered clients, for admins (docs/clients.md). */
@ApiTags('clients')
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @Auth('users:admin', { sensitive: 'read-clients' })
  @NoStore()
  @ApiOperation({ summary: 'Every registered client, oldest first (admins)' })
  @ApiPageResponse(ClientDto, 'How many clients there are')
  async list(
    @Query() query: PaginationQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ClientDto[]> {
    return sendPage(
      reply,
      await this.clients.list(query.limit, query.offset),
      (client) => ClientDto.from(client),
    );
  }

  @Get(':clientId')
  @Auth('users:admin', { sensitive: 'read-clients' })
  @NoStore()
  @ApiOperation({ summary: 'One registered client (admins)' })
  @ApiOkResponse({ type: ClientDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('clientId') clientId: string): Promise<ClientDto> {
    return ClientDto.from(await this.clients.getByClientId(clientId));
  }

  @Post()
  @Auth('users:admin', { sensitive: 'administer-clients' })
  @NoStore()
  @ApiOperation({
    summary:
      "Register a client (admins); a confidential client's client_secret is in this answer and nowhere else",
  })
  @ApiCreatedResponse({ type: ClientDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async create(@Body() dto: CreateClientDto): Promise<ClientDto> {
    const { client, secret } = await this.clients.create(dto);
    return ClientDto.from(client, secret);
  }

  @Delete(':clientId')
  @Auth('users:admin', { sensitive: 'administer-clients' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a registered client (admins)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async remove(@Param('clientId') clientId: string): Promise<void> {
    await this.clients.remove(clientId);
  }
}
