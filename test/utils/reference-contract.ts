import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The original service's contract, beside the repository in the workplace (never copied into it). */
export const REFERENCE_SPEC = join(__dirname, '../../../shared/reference/midaz-v3.8.0/crm-openapi.yaml');
export const REFERENCE_AVAILABLE = existsSync(REFERENCE_SPEC);
export const REFERENCE_SKIP_REASON = `skipped: reference contract not found at ${REFERENCE_SPEC} (a clone outside the workplace has no ../shared)`;

type JsonObject = Record<string, any>;

/**
 * A JSON-schema validator for a response schema of the reference OpenAPI. The reference is loose in
 * two documented places, loosened here the way the original behaves: `deletedAt` is null on live
 * records (OpenAPI 3.0 says string without `nullable`), and metadata values are scalars, not objects.
 */
export function referenceValidator(schemaName: string): ValidateFunction {
  const spec = parse(readFileSync(REFERENCE_SPEC, 'utf8')) as JsonObject;
  const schemas = structuredClone(spec.components.schemas) as JsonObject;
  for (const schema of Object.values(schemas)) {
    const properties = (schema as JsonObject).properties;
    if (!properties) continue;
    if (properties.deletedAt?.type === 'string') properties.deletedAt = { type: ['string', 'null'] };
    if (properties.metadata?.additionalProperties)
      properties.metadata = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } };
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'crm', components: { schemas } });
  const validate = ajv.getSchema(`crm#/components/schemas/${schemaName}`);
  if (!validate) throw new Error(`no schema ${schemaName} in the reference`);
  return validate;
}
