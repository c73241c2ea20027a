import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, Public } from './access/auth.decorator.js';

class WelcomeDto {
  @ApiProperty({ example: 'Welcome to Warden' })
  message: string;

  @ApiProperty({ example: '/docs' })
  docs: string;
}

class MessageDto {
  @ApiProperty({ example: 'Hello, authenticated user!' })
  message: string;
}

@ApiTags('meta')
@Controller()
export class AppController {
  @Get()
  @Public()
  @ApiOperation({ summary: 'Welcome and where the docs are' })
  @ApiOkResponse({ type: WelcomeDto })
  welcome(): WelcomeDto {
    return { message: 'Welcome to Warden', docs: '/docs' };
  }

  @Get('protected')
  @Auth()
  @ApiOperation({ summary: 'Any valid access token gets in' })
  @ApiOkResponse({ type: MessageDto })
  protected(): MessageDto {
    return { message: 'Hello, authenticated user!' };
  }
}
