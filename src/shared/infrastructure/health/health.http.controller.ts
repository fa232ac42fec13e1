import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Metrics } from '../observability/metrics.js';

/** A component that reports how it is doing on /health/ready (the Kafka relay adds its lag here). */
export interface ReadinessContributor {
  readonly name: string;
  check(): Promise<{ ok: boolean; [detail: string]: unknown }>;
}

/** Modules register what /health/ready should also report. */
export class ReadinessRegistry {
  readonly contributors: ReadinessContributor[] = [];

  register(contributor: ReadinessContributor): void {
    this.contributors.push(contributor);
  }
}

@Controller()
export class HealthHttpController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly readiness: ReadinessRegistry,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks: Record<string, unknown> = {};
    let ok = true;
    try {
      await this.dataSource.query('SELECT 1');
      checks.database = { ok: true };
    } catch (error) {
      ok = false;
      checks.database = { ok: false, error: (error as Error).message };
    }
    for (const c of this.readiness.contributors) {
      const result = await c.check().catch((error: Error) => ({ ok: false, error: error.message }));
      checks[c.name] = result;
      ok &&= result.ok;
    }
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ready' : 'not ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
