/** §4.2.3.2 / §4.2.3.3: host and port out of the FTP and NTP server texts. */
import { defaultConfig } from '../../protocol/config/defaults';
import { ftpEndpoint, ntpEndpoints } from '../../protocol/config/endpoints';
import { accepted, fileWith } from './spec';

describe('server endpoints', () => {
  test('FTP: "ftp.webdyn.com:60" is port 60; without a port, 21', () => {
    expect(ftpEndpoint(accepted(fileWith('remote.ftp.addr', 'ftp.webdyn.com:60')).config)).toEqual({ host: 'ftp.webdyn.com', port: 60 });
    expect(ftpEndpoint(accepted(fileWith('remote.ftp.addr', '192.168.1.2')).config)).toEqual({ host: '192.168.1.2', port: 21 });
  });

  test('FTP: none until an address is configured', () => {
    expect(ftpEndpoint(defaultConfig())).toBeUndefined();
    expect(ftpEndpoint(accepted(fileWith('remote.ftp.addr', '')).config)).toBeUndefined();
  });

  test('NTP: pool.ntp.org port 123 by default', () => {
    expect(ntpEndpoints(defaultConfig())).toEqual([{ host: 'pool.ntp.org', port: 123 }]);
  });

  test('NTP: the list form keeps its order and skips empty slots', () => {
    expect(ntpEndpoints(accepted(fileWith('remote.ntp', ['ntp.google.com', ''])).config)).toEqual([{ host: 'ntp.google.com', port: 123 }]);
    expect(ntpEndpoints(accepted(fileWith('remote.ntp', ['a.example:1123', 'b.example'])).config)).toEqual([{ host: 'a.example', port: 1123 }, { host: 'b.example', port: 123 }]);
  });
});
