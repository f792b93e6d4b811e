import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig, AuthConfig } from '@crm/config';
import { declareAuthSecurity } from './auth/auth-openapi';
import { SERVICE_VERSION } from './health/version';

const SWAGGER_PATH = 'swagger';
const OPENAPI_JSON_PATH = 'swagger/json';

/** The OpenAPI document, generated from the controllers' and DTOs' decorators; security follows the auth mode. */
export function buildOpenApiDocument(app: INestApplication, authMode: AuthConfig['mode'] = 'none'): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('CRM API')
    .setDescription(
      'Holders and alias accounts behind a Midaz ledger. Sensitive fields are encrypted at rest and searchable through blind indexes. ' +
        'Every business route requires the X-Organization-Id header (a UUID). Errors answer with {code, title, message, entityType?, fields?}.',
    )
    .setVersion(SERVICE_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  declareAuthSecurity(document, authMode);
  return document;
}

/** Swagger UI at /swagger and the OpenAPI JSON at /swagger/json. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app, app.get<AppConfig>(APP_CONFIG).auth.mode);
  SwaggerModule.setup(SWAGGER_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'swagger/yaml',
  });
  return document;
}
