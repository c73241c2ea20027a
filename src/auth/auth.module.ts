import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { CredentialsModule } from '../credentials/credentials.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { PasskeysController } from './passkeys.controller.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccessTokenService } from './access-token.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { SessionsController } from './sessions.controller.js';
import { JwksController } from './jwks.controller.js';
import { OAuthMetadataController } from './oauth-metadata.controller.js';
import { JwtKeys } from './jwt-keys.js';
import { IdTokenService } from './id-token.service.js';
import { BearerAuthenticationService } from './bearer-authentication.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { LocalStrategy } from './local.strategy.js';
import { tokenGrantProviders } from './grants/token-grants.js';
import { MfaSignIn } from './mfa-sign-in.service.js';
import { TokenIntrospection } from './token-introspection.service.js';
import { ClientAssertions } from './client-assertions.service.js';
import { DpopProofs } from './dpop-proofs.service.js';
import { ReplayModule } from '../replay/replay.module.js';
import { ClientAuthentication } from './client-authentication.service.js';
import { AuthorizationEndpoint } from './authorization-endpoint.service.js';
import { AuthorizeController } from './authorize.controller.js';
import { EndSessionService } from './end-session.service.js';
import { HostedAccountPages } from './hosted-account.service.js';
import { ConsentsController } from './consents.controller.js';
import { UserInfoController } from './userinfo.controller.js';
import { ClientsModule } from '../clients/clients.module.js';
import { AuthorizationModule } from '../authorization/authorization.module.js';
import { PasswordSignIn } from './password-sign-in.service.js';
import { SessionTokens } from './session-tokens.service.js';

@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    UsersModule,
    SessionsModule,
    MfaModule,
    PasskeysModule,
    CredentialsModule,
    ClientsModule,
    AuthorizationModule,
    ReplayModule,
  ],
  controllers: [
    AuthController,
    PasskeysController,
    SessionsController,
    JwksController,
    OAuthMetadataController,
    AuthorizeController,
    ConsentsController,
    UserInfoController,
  ],
  providers: [
    AuthService,
    PasswordSignIn,
    MfaSignIn,
    SessionTokens,
    ClientAuthentication,
    TokenIntrospection,
    ClientAssertions,
    DpopProofs,
    AuthorizationEndpoint,
    EndSessionService,
    HostedAccountPages,
    ...tokenGrantProviders,
    AccessTokenService,
    BearerAuthenticationService,
    JwtKeys,
    IdTokenService,
    LocalStrategy,
    JwtStrategy,
  ],
})
export class AuthModule {}
