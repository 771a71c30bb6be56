/** Picks the limiter: shared through Redis when REDIS_URL is set, else per process. */
import type { ProtectionConfig } from './protection-config.ts';
import type { TenantLimiter } from './limiter.ts';
import { LocalLimiter } from './local-limiter.ts';
import { RedisLimiter } from './redis-limiter.ts';

export function createTenantLimiter(config: ProtectionConfig, log?: (message: string) => void): TenantLimiter {
  if (!config.redisUrl) return new LocalLimiter();
  return new RedisLimiter({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, ...(log ? { log } : {}) });
}
