import { Injectable } from '@nestjs/common';

/** Set on SIGTERM: `/readyz` answers 503 from then on, so Kubernetes stops routing here before the server closes. */
@Injectable()
export class DrainState {
  private draining = false;

  begin(): void {
    this.draining = true;
  }

  get active(): boolean {
    return this.draining;
  }
}
