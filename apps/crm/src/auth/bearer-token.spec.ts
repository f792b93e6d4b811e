import { authorizeRequestBody, lerianSubjectOf, lerianTokenOf } from './bearer-token';

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('lib-auth token rules', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer', undefined],
    ['bearer', undefined],
    ['Bearer a b', undefined],
    ['Basic x', undefined],
    ['Basic x y', undefined],
    ['null', undefined],
    ['nil', undefined],
    ['Bearer nil', undefined],
    ['Bearer  t', undefined],
    ['Bearer t', 't'],
    ['bEaReR t', 't'],
    ['t', 't'],
  ])('%j → %j', (header, token) => {
    expect(lerianTokenOf(header)).toBe(token);
  });

  it('names a normal user <owner>/<sub> and anything else the editor role', () => {
    expect(lerianSubjectOf(jwt({ type: 'normal-user', owner: 'acme', sub: 'ana' }))).toEqual({
      sub: 'acme/ana',
      kind: 'normal-user',
    });
    expect(lerianSubjectOf(jwt({ type: 'normal-user', owner: 'acme' }))).toBeUndefined();
    expect(lerianSubjectOf(jwt({ sub: 'svc' }))).toEqual({
      sub: 'admin/plugin-crm-editor-role',
      kind: 'application',
      tokenSubject: 'svc',
    });
    expect(lerianSubjectOf('garbage')).toBeUndefined();
  });

  it('sends compact JSON with sorted keys', () => {
    expect(authorizeRequestBody({ sub: 'a/b', kind: 'normal-user' }, 'aliases', 'delete')).toBe(
      '{"action":"delete","product":"plugin-crm","resource":"aliases","sub":"a/b"}',
    );
    expect(authorizeRequestBody({ sub: 'admin/plugin-crm-editor-role', kind: 'application' }, 'holders', 'get')).toBe(
      '{"action":"get","resource":"holders","sub":"admin/plugin-crm-editor-role"}',
    );
  });
});
