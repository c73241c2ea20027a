import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class DeleteAccountDto {
  @ApiProperty({
    description: 'Your current password, to confirm',
    example: 'correct horse battery staple',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
}
