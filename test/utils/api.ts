import type { TestApp, TestResponse } from './test-app';
import { newOrganizationId, organizationHeaders } from '../factories/organization';

/** Requests on behalf of one organization. */
export function orgClient(crm: TestApp, organizationId: string = newOrganizationId()) {
  const headers = organizationHeaders(organizationId);
  return {
    organizationId,
    get: (path: string): Promise<TestResponse> => crm.request(path, { headers }),
    post: (path: string, json: unknown): Promise<TestResponse> => crm.request(path, { method: 'POST', headers, json }),
    patch: (path: string, json: unknown): Promise<TestResponse> =>
      crm.request(path, { method: 'PATCH', headers, json }),
    delete: (path: string): Promise<TestResponse> => crm.request(path, { method: 'DELETE', headers }),
  };
}

export type OrgClient = ReturnType<typeof orgClient>;
