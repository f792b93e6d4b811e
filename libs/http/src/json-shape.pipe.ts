import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { CrmException } from '@crm/errors';
import { asQueryException } from './validation';

/**
 * Shape limits every body and query string meets before anything else reads it. Validation and
 * transformation cost time per value, so the number of values is bounded here, where refusing costs a
 * single walk: the largest valid body (an alias with 100 related parties and 100 metadata keys) holds
 * under 2,000 values.
 */
export const JSON_LIMITS = { maxDepth: 10, maxKeys: 100, maxArrayItems: 100, maxValues: 5000 } as const;

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * NUL, and UTF-16 that is not well formed: JSON's `\ud800` escape parses to a lone surrogate, which
 * cannot be stored as UTF-8 and would come back as U+FFFD, a value the caller never sent.
 */
function textProblem(text: string, what: 'Strings' | 'Keys'): CrmException | undefined {
  if (text.includes('\u0000'))
    return new CrmException('CRM-0004', { message: `${what} must not contain NUL characters.` });
  if (!text.isWellFormed())
    return new CrmException('CRM-0004', { message: `${what} must be valid Unicode (a lone surrogate is not).` });
  return undefined;
}

/** Finds the first structural problem of a parsed JSON value, or undefined. */
export function jsonShapeProblem(value: unknown): CrmException | undefined {
  const budget = { values: JSON_LIMITS.maxValues };
  return problemWithin(value, 0, budget);
}

function problemWithin(value: unknown, depth: number, budget: { values: number }): CrmException | undefined {
  if (--budget.values < 0)
    return new CrmException('CRM-0015', { message: `More than ${JSON_LIMITS.maxValues} values are not accepted.` });
  if (typeof value === 'string') return textProblem(value, 'Strings');
  // JSON.parse turns a literal beyond the double range (1e309) into Infinity, which no field accepts.
  if (typeof value === 'number' && !Number.isFinite(value))
    return new CrmException('CRM-0004', { message: 'Numbers must be finite (1e309 overflows).' });
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= JSON_LIMITS.maxDepth) {
    return new CrmException('CRM-0015', {
      message: `JSON nesting deeper than ${JSON_LIMITS.maxDepth} levels is not accepted.`,
    });
  }
  const sizeProblem = containerSizeProblem(value);
  if (sizeProblem) return sizeProblem;
  const entries = Array.isArray(value) ? value.map((item) => ['', item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    const keyProblem = textProblem(key, 'Keys');
    if (keyProblem) return keyProblem;
    if (PROTOTYPE_KEYS.has(key))
      return new CrmException('CRM-0004', {
        message: `"${key}" is reserved and cannot be a key.`,
        fields: { [key]: 'reserved key' },
      });
    const problem = problemWithin(item, depth + 1, budget);
    if (problem) return problem;
  }
  return undefined;
}

function containerSizeProblem(value: object): CrmException | undefined {
  if (Array.isArray(value)) {
    return value.length > JSON_LIMITS.maxArrayItems
      ? new CrmException('CRM-0015', {
          message: `Arrays with more than ${JSON_LIMITS.maxArrayItems} items are not accepted.`,
        })
      : undefined;
  }
  let keys = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++keys > JSON_LIMITS.maxKeys) break;
  return keys > JSON_LIMITS.maxKeys
    ? new CrmException('CRM-0015', { message: `Objects with more than ${JSON_LIMITS.maxKeys} keys are not accepted.` })
    : undefined;
}

/**
 * Runs before DTO validation on bodies and query strings: rejects NUL bytes, invalid Unicode, deep
 * nesting and oversized objects, arrays and bodies with a 400, so hostile input never reaches business
 * code and no body keeps the event loop busy for long.
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
