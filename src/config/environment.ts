import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { validateCronExpression } from 'cron';
import { isPemCertificateFile } from './pem-file';
import { isTrustProxy, parseTrustProxy, TrustProxy } from './trust-proxy';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  return value;
};

const PositiveInt = (): PropertyDecorator => {
  const decorators = [Transform(toInt), IsInt(), IsPositive()];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

const Flag = (): PropertyDecorator => {
  const decorators = [Transform(toBool), IsBoolean()];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

/** The samplers OpenTelemetry's `OTEL_TRACES_SAMPLER` names. */
const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/** Every environment variable the service reads, with its default. Validated once at start-up. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Transform(toInt)
  @IsInt()
  @IsPositive()
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  @Flag()
  DATABASE_MIGRATIONS_RUN = true;

  @IsInt()
  @Transform(toInt)
  @IsPositive()
  DATABASE_POOL_SIZE = 10;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/, {
    message: 'REDIS_CLUSTER_NODES must be host:port,host:port,…',
  })
  REDIS_CLUSTER_NODES?: string;

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1-32 of [A-Za-z0-9_-]' })
  REDIS_KEY_PREFIX = 'app';

  @IsOptional()
  @Matches(/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/, {
    message: 'REDIS_SENTINELS must be host:port,host:port,…',
  })
  REDIS_SENTINELS?: string;

  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'REDIS_SENTINEL_MASTER must be 1-64 of [A-Za-z0-9._-]',
  })
  REDIS_SENTINEL_MASTER = 'mymaster';

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  @Flag()
  REDIS_TLS = false;

  @IsOptional()
  @ValidateBy({
    name: 'isPemCertificateFile',
    validator: {
      validate: isPemCertificateFile,
      defaultMessage: () => 'REDIS_TLS_CA_FILE must be a readable PEM file of certificates',
    },
  })
  REDIS_TLS_CA_FILE?: string;

  @IsOptional()
  @IsString()
  REDIS_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @ValidateIf(
    (env: Environment) => env.NODE_ENV === 'production' || env.SESSION_SECRET !== undefined,
  )
  @IsString()
  @MinLength(32, {
    message: 'SESSION_SECRET must be at least 32 characters (required in production)',
  })
  SESSION_SECRET?: string;

  @PositiveInt()
  SESSION_TTL_S = 1800;

  @PositiveInt()
  SESSION_MAX_AGE_S = 604800;

  @PositiveInt()
  THROTTLE_LIMIT = 100;

  @PositiveInt()
  THROTTLE_TTL_MS = 60000;

  @PositiveInt()
  LOGIN_THROTTLE_LIMIT = 5;

  @PositiveInt()
  LOGIN_THROTTLE_TTL_MS = 60000;

  @PositiveInt()
  LOGIN_THROTTLE_ADDRESS_LIMIT = 20;

  @IsIn(['open', 'closed'])
  THROTTLE_FAIL_MODE: 'open' | 'closed' = 'open';

  @Transform(({ value }) => parseTrustProxy(value))
  @ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: isTrustProxy,
      defaultMessage: () =>
        'TRUST_PROXY must be false, true, a number of proxy hops, or comma-separated proxy addresses/CIDRs',
    },
  })
  TRUST_PROXY: TrustProxy = false;

  @PositiveInt()
  REQUEST_TIMEOUT_MS = 30000;

  @PositiveInt()
  HEADERS_TIMEOUT_MS = 10000;

  @PositiveInt()
  MAX_CONNECTIONS_PER_ADDRESS = 64;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'CACHE_REDIS_URL must be a redis:// or rediss:// URL' })
  CACHE_REDIS_URL?: string;

  @IsOptional()
  @Matches(/^[^\s:,]+:\d+(,[^\s:,]+:\d+)*$/, {
    message: 'CACHE_REDIS_CLUSTER_NODES must be host:port,host:port,…',
  })
  CACHE_REDIS_CLUSTER_NODES?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  CACHE_L1_MAX_ENTRIES = 0;

  @PositiveInt()
  CACHE_MAX_ENTRY_BYTES = 1048576;

  /**
   * `CACHE_TTL_<NAME>_S` of every cache that has one, by `<NAME>`: any number of variables, so no
   * field each; validated and filled in by `validateEnvironment`.
   */
  declare cacheTtlOverrides?: Record<string, number>;

  @Flag()
  TRENDING_ENABLED = true;

  @PositiveInt()
  TRENDING_FLUSH_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Max(2147483647)
  INVENTORY_REPORT_DELAY_MS = 0;

  @ValidateBy({
    name: 'isCron',
    validator: {
      validate: (value) => typeof value === 'string' && validateCronExpression(value).valid,
      defaultMessage: () =>
        'INVENTORY_REPORT_CRON must be a cron expression (seconds optional), e.g. "0 */15 * * * *"',
    },
  })
  INVENTORY_REPORT_CRON = '0 */15 * * * *';

  @Flag()
  INVENTORY_REPORT_SCHEDULE = true;

  @PositiveInt()
  LOCK_TTL_MS = 30000;

  @IsOptional()
  @ValidateBy({
    name: 'isLockRedisNodes',
    validator: {
      validate: (value) => {
        if (typeof value !== 'string') return false;
        const urls = value.split(',');
        return (
          urls.length >= 3 &&
          urls.length % 2 === 1 &&
          new Set(urls).size === urls.length &&
          urls.every((url) => /^rediss?:\/\/[^\s,]+$/.test(url))
        );
      },
      defaultMessage: () =>
        'LOCK_REDIS_NODES must be an odd number (3 or more) of distinct redis:// URLs, comma-separated',
    },
  })
  LOCK_REDIS_NODES?: string;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /** Unset: `json` when NODE_ENV=production, else `pretty`. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/,]+(,https?:\/\/[^\s/,]+)*$/, {
    message: 'CORS_ORIGINS must be comma-separated origins such as https://app.example.com',
  })
  CORS_ORIGINS?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @IsPositive()
  @Max(65535)
  @ValidateBy({
    name: 'differsFromPort',
    validator: {
      validate: (value, args) => value !== (args?.object as Environment).PORT,
      defaultMessage: () => 'METRICS_PORT must differ from PORT',
    },
  })
  METRICS_PORT?: number;

  /** Unset: no tracing, and nothing of OpenTelemetry's SDK is loaded (see `src/tracing.ts`). */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, {
    message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL',
  })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @IsIn(['http/protobuf', 'http/json'])
  OTEL_EXPORTER_OTLP_PROTOCOL?: 'http/protobuf' | 'http/json';

  /** Unset: the package's name. */
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  @IsOptional()
  @IsIn(TRACES_SAMPLERS)
  OTEL_TRACES_SAMPLER?: string;

  /** The ratio of the `*traceidratio` samplers, from 0 to 1. */
  @IsOptional()
  @Matches(/^(0(\.\d+)?|1(\.0+)?)$/, {
    message: 'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1',
  })
  OTEL_TRACES_SAMPLER_ARG?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_DRAIN_MS = 0;
}
