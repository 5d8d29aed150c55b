export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as Record<string, unknown>).__servers__ as {
    destroy(): Promise<void>;
  }[];
  await Promise.all((servers ?? []).map((server) => server.destroy()));
}
