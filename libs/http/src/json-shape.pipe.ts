import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import { asQueryException } from './validation';

export const JSON_LIMITS = { maxDepth: 10, maxKeys: 100 } as const;

/** Keys that reach object prototypes when copied or transformed (class-transformer crashes on `constructor`). */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Finds the first structural problem of a parsed JSON value, or undefined. */
export function jsonShapeProblem(value: unknown, depth = 0): CrmException | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? new CrmException('CRM-0004', { message: 'Strings must not contain NUL characters.' })
      : undefined;
  }
  // JSON.parse turns a literal beyond the double range (1e309) into Infinity, which no field accepts.
  if (typeof value === 'number' && !Number.isFinite(value))
    return new CrmException('CRM-0004', { message: 'Numbers must be finite (1e309 overflows).' });
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= JSON_LIMITS.maxDepth) {
    return new CrmException('CRM-0015', {
      message: `JSON nesting deeper than ${JSON_LIMITS.maxDepth} levels is not accepted.`,
    });
  }
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
  if (!Array.isArray(value) && entries.length > JSON_LIMITS.maxKeys) {
    return new CrmException('CRM-0015', {
      message: `Objects with more than ${JSON_LIMITS.maxKeys} keys are not accepted.`,
    });
  }
  for (const [key, item] of entries) {
    if (key.includes('\u0000'))
      return new CrmException('CRM-0004', { message: 'Keys must not contain NUL characters.' });
    if (PROTOTYPE_KEYS.has(key))
      return new CrmException('CRM-0004', {
        message: `"${key}" is reserved and cannot be a key.`,
        fields: { [key]: 'reserved key' },
      });
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
    if (problem) throw metadata.type === 'query' ? asQueryException(problem) : problem;
    return value;
  }
}
