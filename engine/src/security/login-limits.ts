// Sign-in rate limits, counted in PostgreSQL so that every engine on the database shares them (and a
// restart does not reset them): failures per user, attempts per client address.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { EngineError } from '../shared/engine-error.js';
import { LOGIN_LIMIT_TABLE } from './security-tables.js';

export interface LoginLimitOptions {
  readonly pool: pg.Pool;
  readonly failuresPerUser: number;
  readonly attemptsPerAddress: number;
}

function limited(res: unknown): never {
  if (res instanceof RateLimiterRes) {
    const seconds = Math.ceil(res.msBeforeNext / 1000);
    throw new EngineError('auth.too_many_attempts', 429, `too many sign-in attempts; try again in ${seconds} s`, {
      extra: { retryAfter: seconds },
    });
  }
  throw res;
}

/** Usernames come from the request: a digest keeps every key short and printable. */
function userKey(username: string): string {
  return createHash('sha256').update(username.toLowerCase()).digest('hex');
}

export class LoginLimits {
  private readonly perUser: RateLimiterPostgres;
  private readonly perAddress: RateLimiterPostgres;

  constructor(o: LoginLimitOptions) {
    const common = { storeClient: o.pool, storeType: 'pool', tableName: LOGIN_LIMIT_TABLE, tableCreated: true };
    this.perUser = new RateLimiterPostgres({ ...common, keyPrefix: 'user', points: o.failuresPerUser, duration: 15 * 60 });
    this.perAddress = new RateLimiterPostgres({ ...common, keyPrefix: 'login_address', points: o.attemptsPerAddress, duration: 60 });
  }

  /** Counts an attempt from the address and refuses (429) when the address or the user is over its limit. */
  async admit(username: string, address: string): Promise<void> {
    await this.perAddress.consume(address).catch(limited);
    const blocked = await this.perUser.get(userKey(username));
    if (blocked && blocked.remainingPoints <= 0) limited(blocked);
  }

  async failed(username: string): Promise<void> {
    await this.perUser.consume(userKey(username)).catch((res: unknown) => {
      if (!(res instanceof RateLimiterRes)) throw res;
    });
  }

  async succeeded(username: string): Promise<void> {
    await this.perUser.delete(userKey(username));
  }
}
