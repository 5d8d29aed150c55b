import { describeListenAddress } from './listen-address';

describe('describeListenAddress', () => {
  it('says that 0.0.0.0 is every IPv4 interface and names a URL that works on the machine', () => {
    expect(describeListenAddress({ address: '0.0.0.0', port: 3000, family: 'IPv4' })).toBe(
      'Listening on 0.0.0.0:3000, every IPv4 interface (on this machine: http://localhost:3000)',
    );
  });

  it('says that :: is every interface', () => {
    expect(describeListenAddress({ address: '::', port: 8080, family: 'IPv6' })).toBe(
      'Listening on [::]:8080, every interface (on this machine: http://localhost:8080)',
    );
  });

  it('prints a specific address as the URL it serves, brackets around IPv6', () => {
    expect(describeListenAddress({ address: '127.0.0.1', port: 3001, family: 'IPv4' })).toBe(
      'Listening on http://127.0.0.1:3001',
    );
    expect(describeListenAddress({ address: '::1', port: 3001, family: 'IPv6' })).toBe(
      'Listening on http://[::1]:3001',
    );
  });
});
