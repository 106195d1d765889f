import { anaplanLogin, anaplanSink, pipePackage } from '../src';

describe('the package', () => {
  it('offers the sink and the login flow to the CLI; the emulator is a package of its own', () => {
    expect(pipePackage.plugins).toEqual([anaplanSink]);
    expect(anaplanSink).toMatchObject({ kind: 'sink', name: 'anaplan' });
    expect(pipePackage.logins?.anaplan).toBe(anaplanLogin);
    expect(Object.keys(anaplanLogin.options ?? {})).toEqual(expect.arrayContaining(['client-id', 'username', 'password']));
    expect(anaplanLogin.options?.password.secret).toBe(true);
    expect(pipePackage.emulators).toBeUndefined();
  });
});
