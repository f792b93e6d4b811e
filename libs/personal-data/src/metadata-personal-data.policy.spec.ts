import type { AppConfig } from '@crm/config';
import { CrmException } from '@crm/errors';
import { MetadataPersonalDataPolicy } from './metadata-personal-data.policy';

const guard = (mode: AppConfig['metadataPiiGuard']) =>
  new MetadataPersonalDataPolicy({ metadataPiiGuard: mode } as AppConfig);

describe('MetadataPersonalDataPolicy on reject', () => {
  it('refuses personal data in keys without naming those keys, and names the keys of personal values', () => {
    let refusal: CrmException | undefined;
    try {
      guard('reject').check({ 'cliente 11144477735': 'x', contactCpf: '529.982.247-25', tier: 3 }, 'Holder');
    } catch (error) {
      refusal = error as CrmException;
    }
    expect(refusal).toBeInstanceOf(CrmException);
    const body = JSON.stringify(refusal!.toEnvelope());
    expect(body).toContain('CRM-0034');
    expect(body).toContain('metadata.contactCpf');
    expect(body).toContain('1 key(s) look like personal data (CPF)');
    expect(body).not.toContain('11144477735');
    expect(body).not.toContain('529.982.247-25');
  });

  it('lets ordinary metadata through, and does nothing when off', () => {
    expect(() => guard('reject').check({ segment: 'retail', since: 2020 }, 'Holder')).not.toThrow();
    expect(() => guard('off').check({ 'cliente 11144477735': 'x' }, 'Holder')).not.toThrow();
  });
});

describe('MetadataPersonalDataPolicy.checkOnce', () => {
  it('checks on its first call only, refusing there as check does', () => {
    const policy = guard('reject');
    const check = jest.spyOn(policy, 'check');
    const refused = policy.checkOnce({ contactCpf: '529.982.247-25' }, 'Holder');
    expect(refused).toThrow(CrmException);
    const passed = policy.checkOnce({ segment: 'retail' }, 'Holder');
    passed();
    passed();
    expect(check).toHaveBeenCalledTimes(2); // once for each checker's first call
  });
});
