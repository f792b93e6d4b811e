import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@crm/config';
import { AnonymousAuthorizer } from './anonymous.authorizer';
import { CALLER_AUTHORIZER, CallerAuthorizer } from './caller-authorizer';
import { JwtVerifier } from './jwt-verifier';
import { PersonalDataAccessInterceptor } from './personal-data-access';
import { PluginAuthClient } from './plugin-auth.client';
import { RoutePermissions } from './route-permissions';

/**
 * The configured authentication mode behind one `CallerAuthorizer`, the route permission map, and the
 * masking of personal data in answers (global; imported before the idempotency module, so it wraps it).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    RoutePermissions,
    {
      provide: CALLER_AUTHORIZER,
      inject: [APP_CONFIG],
      useFactory: ({ auth }: AppConfig): CallerAuthorizer => {
        if (auth.mode === 'lerian') return new PluginAuthClient(auth.lerian);
        if (auth.mode === 'jwt') return new JwtVerifier(auth.jwt);
        return new AnonymousAuthorizer();
      },
    },
    { provide: APP_INTERCEPTOR, useClass: PersonalDataAccessInterceptor },
  ],
  exports: [RoutePermissions, CALLER_AUTHORIZER],
})
export class AuthModule {}
