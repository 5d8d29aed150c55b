import { readFileSync } from 'node:fs';

/** True when `path` names a file that can be read and holds at least one PEM certificate. */
export function isPemCertificateFile(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  try {
    return readFileSync(path, 'utf8').includes('-----BEGIN CERTIFICATE-----');
  } catch {
    return false;
  }
}
