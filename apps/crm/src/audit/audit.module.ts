import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AUDIT_EVENT_MODEL, AuditEventSchema } from './audit-event.schema';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail';

/** The audit trail: the `audit_events` collection, its writer, and `GET /v1/audit-events`. */
@Module({
  imports: [MongooseModule.forFeature([{ name: AUDIT_EVENT_MODEL, schema: AuditEventSchema }])],
  controllers: [AuditController],
  providers: [AuditRepository, AuditTrail],
  exports: [AuditTrail],
})
export class AuditModule {}
