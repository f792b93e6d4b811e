import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import { FIELD_GROUPS } from '@crm/personal-data';
import type { CallerAuthorizer } from './caller-authorizer';
import { MAX_ACCESS_REASON_LENGTH, PersonalDataAccessInterceptor, revealAsked } from './personal-data-access';

function refusalOf(asked: string | undefined, reason: string | undefined): Record<string, unknown> {
  try {
    revealAsked(asked, reason);
  } catch (error) {
    expect(error).toBeInstanceOf(CrmException);
    return (error as CrmException).toEnvelope() as unknown as Record<string, unknown>;
  }
  throw new Error('expected a refusal');
}

describe('revealAsked', () => {
  it('asks nothing without a reveal parameter (a reason alone reveals nothing)', () => {
    expect(revealAsked(undefined, 'support ticket')).toBeUndefined();
    expect(revealAsked(' , ', 'support ticket')).toBeUndefined();
  });

  it('reads the groups asked, or every group for all, with the reason trimmed', () => {
    expect(revealAsked('contact, document', ' support ticket ')).toEqual({
      groups: ['document', 'contact'],
      reason: 'support ticket',
    });
    expect(revealAsked('all', 'audit by compliance')).toEqual({
      groups: [...FIELD_GROUPS],
      reason: 'audit by compliance',
    });
  });

  it('refuses a reveal without a reason with CRM-0052', () => {
    expect(refusalOf('document', undefined)).toMatchObject({ code: 'CRM-0052' });
    expect(refusalOf('document', '   ')).toMatchObject({ code: 'CRM-0052' });
  });

  it('refuses unknown groups, long reasons and reasons that look like personal data with CRM-0054, never echoing them', () => {
    const unknown = refusalOf('document,passwords', 'support ticket');
    expect(unknown).toMatchObject({ code: 'CRM-0054', fields: { reveal: expect.any(String) } });
    expect(JSON.stringify(unknown)).not.toContain('passwords');
    expect(refusalOf('document', 'x'.repeat(MAX_ACCESS_REASON_LENGTH + 1))).toMatchObject({
      code: 'CRM-0054',
      fields: { 'x-access-reason': expect.stringContaining(`${MAX_ACCESS_REASON_LENGTH}`) },
    });
    expect(revealAsked('document', 'x'.repeat(MAX_ACCESS_REASON_LENGTH))?.reason).toHaveLength(
      MAX_ACCESS_REASON_LENGTH,
    );
    for (const reason of ['call back maria@example.com', 'customer 529.982.247-25', 'account 00012345678']) {
      const refusal = refusalOf('contact', reason);
      expect(refusal).toMatchObject({
        code: 'CRM-0054',
        fields: { 'x-access-reason': expect.stringContaining('personal data') },
      });
      expect(JSON.stringify(refusal)).not.toContain(reason);
    }
  });
});

describe('PersonalDataAccessInterceptor at start', () => {
  it('warns that masked answers need authentication when AUTH_MODE=none, and only then', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const start = (personalDataAccess: AppConfig['personalDataAccess'], mode: CallerAuthorizer['mode']) =>
      new PersonalDataAccessInterceptor(
        new Reflector(),
        { personalDataAccess } as AppConfig,
        { mode } as CallerAuthorizer,
      ).onModuleInit();
    start('masked', 'jwt');
    start('plain', 'none');
    expect(warn).not.toHaveBeenCalled();
    start('masked', 'none');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('AUTH_MODE=none'));
    warn.mockRestore();
  });
});
