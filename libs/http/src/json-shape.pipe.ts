import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { CrmException } from './crm.exception';

export const JSON_LIMITS = { maxDepth: 10, maxKeys: 100 } as const;

/** Finds the first structural problem of a parsed JSON value, or undefined. */
export function jsonShapeProblem(value: unknown, depth = 0): CrmException | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? new CrmException('CRM-0004', { message: 'Strings must not contain NUL characters.' }) : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= JSON_LIMITS.maxDepth) {
    return new CrmException('CRM-0015', { message: `JSON nesting deeper than ${JSON_LIMITS.maxDepth} levels is not accepted.` });
  }
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
  if (!Array.isArray(value) && entries.length > JSON_LIMITS.maxKeys) {
    return new CrmException('CRM-0015', { message: `Objects with more than ${JSON_LIMITS.maxKeys} keys are not accepted.` });
  }
  for (const [key, item] of entries) {
    if (key.includes('\u0000')) return new CrmException('CRM-0004', { message: 'Keys must not contain NUL characters.' });
    const problem = jsonShapeProblem(item, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Runs before DTO validation on bodies and query strings: rejects NUL bytes, deep nesting
 * and oversized objects with a 400, so hostile input never reaches business code.
 */
@Injectable()
export class JsonShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (metadata.type === 'body' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new CrmException('CRM-0004', { message: 'The request body must be a JSON object.' });
    }
    const problem = jsonShapeProblem(value);
    if (problem) throw problem;
    return value;
  }
}
