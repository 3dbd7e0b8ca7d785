import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { exposureWarning, hostNames, isLoopback, refusal } from './addresses';

describe('web server addresses', () => {
  it('answers to the loopback names and the bound host only', () => {
    const names = hostNames('127.0.0.1');
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', '[::1]:8080'])
      expect(refusal(names, host, undefined), host).toBeNull();
    for (const host of [
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io:8080',
      'a@localhost',
      'localhost:80/x',
      '',
    ])
      expect(refusal(names, host, undefined), host).toMatch(/unknown host/);
    expect(refusal(names, undefined, undefined)).toMatch(/unknown host/);
    expect(refusal(hostNames('192.168.1.5'), '192.168.1.5:8080', undefined)).toBeNull();
    expect(refusal(hostNames('::1'), '[::1]:8080', undefined)).toBeNull();
  });

  it('answers to every interface address and the machine name when listening on all', () => {
    const names = hostNames('0.0.0.0');
    expect(names).toContain(hostname().toLowerCase());
    const ipv4 = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4');
    if (ipv4) expect(refusal(names, `${ipv4.address}:8080`, undefined)).toBeNull();
    expect(refusal(names, 'evil.example:8080', undefined)).toMatch(/unknown host/);
  });

  it('takes an Origin only from the page of the same host and port', () => {
    const names = hostNames('127.0.0.1');
    expect(refusal(names, '127.0.0.1:8080', 'http://127.0.0.1:8080')).toBeNull();
    expect(refusal(names, 'localhost:8080', 'HTTP://LOCALHOST:8080')).toBeNull();
    for (const origin of ['http://evil.example', 'http://127.0.0.1:3000', 'http://localhost:8080', 'null', 'file://'])
      expect(refusal(names, '127.0.0.1:8080', origin), origin).toMatch(/foreign origin/);
  });

  it('warns about every host but loopback, with the tunnel to use instead', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(exposureWarning(host, 8080)).toBeNull();
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'my-workstation']) expect(isLoopback(host)).toBe(false);
    const warning = exposureWarning('0.0.0.0', 8765)!;
    expect(warning).toMatch(/listening on 0\.0\.0\.0/);
    expect(warning).toMatch(/token .* only protection/);
    expect(warning).toMatch(/not encrypted/);
    expect(warning).toContain('ssh -L 8765:127.0.0.1:8765');
  });
});
