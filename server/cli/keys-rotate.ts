/**
 * `npm run keys:rotate`: re-seals everything stored at rest with the current data key (the first of
 * DATA_KEYS), in batches, and prints how many values each key still seals before and after. Run it
 * after putting a new key first in DATA_KEYS; keep the old keys listed until it reports none left.
 * Works on PostgreSQL beside running instances; the embedded database must not be in use.
 */
import { ConfigError, loadConfig } from '../../core/config.js';
import { openDatabase } from '../../core/db/client.js';
import { deriveKeys, resolveAppSecret } from '../../core/privacy/secrets.js';
import { keyUsage, rotateDataKeys } from '../../core/privacy/rotate.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`keys:rotate: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const database = await openDatabase(config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: config.DATA_DIR });
  try {
    const keys = deriveKeys(resolveAppSecret({ appSecret: config.APP_SECRET, dataDir: config.DATABASE_URL ? null : config.DATA_DIR }), config.DATA_KEYS);
    console.log(`current key: ${keys.dataKeys.currentId}`);
    console.log(`before: ${JSON.stringify(await keyUsage(database.prisma, keys.dataKeys))}`);
    const result = await rotateDataKeys(database.prisma, keys.encryptionKey, { onBatch: (where, n) => console.log(`  ${where}: ${n} re-sealed`) });
    console.log(`after: ${JSON.stringify(await keyUsage(database.prisma, keys.dataKeys))}`);
    if (result.skipped) console.log(`${result.skipped} values changed while rotating; run it again to finish them.`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`keys:rotate failed: ${(err as Error).message}`);
  process.exit(1);
});
