// Prisma CLI configuration. DATABASE_URL is only needed by `prisma migrate deploy`
// on machines that can reach Prisma's binaries; this project applies migrations
// through prisma/migrate.ts (WebAssembly engine) and needs no URL to generate.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused' },
});
