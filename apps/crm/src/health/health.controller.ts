import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DependencyChecks } from './dependency.checks';
import { DrainState } from './drain-state';
import { SERVICE_VERSION } from './version';

@ApiTags('Health')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly drain: DrainState,
    private readonly dependencies: DependencyChecks,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('health')
  @ApiOperation({
    summary: 'Liveness: the process runs. Checks no dependency, so a database outage never restarts pods.',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: every dependency check with its status and latency; 503 naming the failing check.',
  })
  @ApiServiceUnavailableResponse({ description: 'A check failed, or the process is draining for shutdown.' })
  async readiness(@Res({ passthrough: true }) response: unknown): Promise<HealthCheckResult> {
    const lifecycle = () => {
      const session = this.indicators.check('lifecycle');
      return Promise.resolve(this.drain.active ? session.down({ message: 'shutting down' }) : session.up());
    };
    try {
      return await this.health.check([
        lifecycle,
        () => this.dependencies.mongo(),
        () => this.dependencies.keyring(),
        () => this.dependencies.midazLedger(),
        () => this.dependencies.events(),
      ]);
    } catch (error) {
      // Terminus reports failed checks as a 503 carrying the per-check result: answer it as it is,
      // not as an error envelope, so probes and operators see which check failed.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      this.adapterHost.httpAdapter.status(response, 503);
      return error.getResponse() as HealthCheckResult;
    }
  }

  @Get('version')
  @ApiOperation({ summary: 'Service version and the time of this request.' })
  @ApiOkResponse({ schema: { example: { version: '0.1.0', requestDate: '2026-01-01T00:00:00.000Z' } } })
  version(): { version: string; requestDate: string } {
    return { version: SERVICE_VERSION, requestDate: new Date().toISOString() };
  }
}
