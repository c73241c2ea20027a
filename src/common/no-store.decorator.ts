import { applyDecorators, Header } from '@nestjs/common';

/** Responses that carry tokens or personal data must not be cached (RFC 6749 §5.1). */
export const NoStore = () =>
  applyDecorators(
    Header('Cache-Control', 'no-store'),
    Header('Pragma', 'no-cache'),
  );
