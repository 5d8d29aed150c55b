import { Client } from 'pg';

async function withDatabase<T>(databaseUrl: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

/**
 * The environment of a benchmarked service, as production runs it (every request writes its access
 * line), with a rate limit set high enough never to reject, and a connection limit per address
 * above any connection count the load takes (all its connections come from the loopback address).
 */
export function productionEnv(databaseUrl: string, redisUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-secret-bench-secret-bench-secret',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    THROTTLE_LIMIT: '1000000000',
    MAX_CONNECTIONS_PER_ADDRESS: '100000',
    LOG_LEVEL: 'log',
    INVENTORY_REPORT_SCHEDULE: 'false',
  };
}

/** Inserts a product straight into the database; resolves to its id. */
export function seedProduct(databaseUrl: string, name: string): Promise<string> {
  return withDatabase(databaseUrl, async (db) => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO products (name, description, category, price, stock)
       VALUES ($1, 'Porcelain, 80 ml', 'kitchen', 12.5, 40) RETURNING id`,
      [name],
    );
    return rows[0].id;
  });
}

async function expectStatus(response: Response, status: number, what: string): Promise<Response> {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`);
  }
  return response;
}

/**
 * Signs up through the API, makes the user an admin in the database when users have roles, and
 * signs in; resolves to the `Cookie` header of the session.
 */
export async function adminCookie(base: string, databaseUrl: string): Promise<string> {
  const credentials = {
    email: `bench-admin-${Date.now()}@example.com`,
    password: 'bench password',
  };
  const json = { 'content-type': 'application/json' };
  await expectStatus(
    await fetch(`${base}/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ...credentials, name: 'Bench admin' }),
    }),
    201,
    'sign-up',
  );
  await withDatabase(databaseUrl, async (db) => {
    const { rowCount } = await db.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'role'`,
    );
    if (rowCount) {
      await db.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [credentials.email]);
    }
  });
  const login = await expectStatus(
    await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(credentials),
    }),
    200,
    'sign-in',
  );
  const session = login.headers.getSetCookie().find((cookie) => cookie.startsWith('sid='));
  if (!session) throw new Error('sign-in set no session cookie');
  return session.split(';')[0];
}
