import { PasswordConfirmationDto } from './password-confirmation.dto.js';

export class DeleteAccountDto extends PasswordConfirmationDto {}
