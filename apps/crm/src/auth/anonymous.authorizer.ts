import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AccessDecision, ANONYMOUS } from './access-decision';
import type { CallerAuthorizer, RevealDecision } from './caller-authorizer';

/** AUTH_MODE=none: every caller is let through as "anonymous" (local use only; warned at start). */
@Injectable()
export class AnonymousAuthorizer implements CallerAuthorizer, OnModuleInit {
  readonly mode = 'none' as const;
  private readonly logger = new Logger('Auth');

  onModuleInit(): void {
    this.logger.warn(
      'AUTH_MODE=none: callers are NOT authenticated; any client that reaches this service reads and changes every organization. Set AUTH_MODE=lerian or jwt outside local development.',
    );
  }

  authorize(): Promise<AccessDecision> {
    return Promise.resolve({ allowed: true, actor: ANONYMOUS });
  }

  mayReveal(): Promise<RevealDecision> {
    return Promise.resolve({ allowed: true });
  }
}
