import { randomUUID } from 'node:crypto';

/** A fresh organization: each test that counts or lists records gets one of its own. */
export const newOrganizationId = (): string => randomUUID();

/** The headers that scope a request to an organization, plus any others the test needs. */
export const organizationHeaders = (
  organization: string = newOrganizationId(),
  extra: Record<string, string> = {},
) => ({
  'x-organization-id': organization,
  ...extra,
});
