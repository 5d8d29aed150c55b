import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

const DEV_SECRET_FILE = 'session-secret';
let processSecret: string | undefined;

/**
 * The secret that signs session cookies: SESSION_SECRET when set (validation requires it in
 * production). Without it, in development a secret generated once and kept in
 * `<DATA_DIR>/session-secret`, so that sessions outlive restarts (`npm run start:dev` reloads); in
 * tests a random one per process.
 */
export function sessionSecret(config: AppConfig): string {
  if (config.session.secret) return config.session.secret;
  if (config.production) throw new Error('SESSION_SECRET is required in production');
  const logger = new Logger('Sessions');
  if (config.nodeEnv === 'development') {
    const file = join(config.database.dataDir, DEV_SECRET_FILE);
    logger.warn(
      `SESSION_SECRET is unset: session cookies are signed with the development secret in ${file}. ` +
        'Set SESSION_SECRET wherever more than one process serves.',
    );
    return developmentSecret(file);
  }
  processSecret ??= randomBytes(32).toString('hex');
  logger.warn(
    'SESSION_SECRET is unset: session cookies are signed with a random per-process secret, so ' +
      'sessions end when the process restarts and are not shared with other processes.',
  );
  return processSecret;
}

function developmentSecret(file: string): string {
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('hex');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
