/**
 * `npm run risk:export-labels -- FILE`: writes the staff's risk labels as training TSV to FILE
 * (outside the repository), for `npm run risk:train -- --extra FILE`. Same database settings as the server.
 */
import { ConfigError, loadConfig } from '../../core/config.js';
import { openDatabase } from '../../core/db/client.js';
import { encryptAtRest } from '../../core/privacy/encrypted-client.js';
import { deriveKeys, resolveAppSecret } from '../../core/privacy/secrets.js';
import { exportLabels } from '../../core/risk/labels.js';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npm run risk:export-labels -- FILE   (a path outside the repository)');
    process.exit(64);
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`risk:export-labels: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const database = await openDatabase(config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: config.DATA_DIR });
  try {
    const keys = deriveKeys(resolveAppSecret({ appSecret: config.APP_SECRET, dataDir: config.DATABASE_URL ? null : config.DATA_DIR }), config.DATA_KEYS);
    const { count, file: written } = await exportLabels(encryptAtRest(database.prisma, keys.dataKeys), file);
    console.log(`${count} labels written to ${written}. They are people's words: keep the file private and delete it after training.`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`risk:export-labels failed: ${(err as Error).message}`);
  process.exit(1);
});
