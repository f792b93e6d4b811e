import { Controller, DynamicModule, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';

/** GET /metrics in the Prometheus text format (METRICS_ENABLED), for clusters without an OTLP collector. */
@ApiExcludeController()
@Controller()
class MetricsController {
  private readonly serializer = new PrometheusSerializer();

  constructor(private readonly exporter: PrometheusExporter) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }
}

@Module({})
export class MetricsModule {
  static forRoot(exporter: PrometheusExporter): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: PrometheusExporter, useValue: exporter }],
    };
  }
}
