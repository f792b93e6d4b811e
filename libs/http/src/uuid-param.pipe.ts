import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import { CrmException } from '@crm/errors';

/** Path ids are UUIDs; anything else is a 400 CRM-0005 naming the parameter. */
@Injectable()
export class UuidParamPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (typeof value === 'string' && isUuid(value)) return value.toLowerCase();
    const name = metadata.data ?? 'id';
    throw new CrmException('CRM-0005', {
      message: `The path parameter ${name} must be a UUID.`,
      fields: { [name]: 'must be a UUID' },
    });
  }
}
