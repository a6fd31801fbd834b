/**
 * Telegram through grammY. Long polling by default (no public URL needed); webhook mode serves
 * POST /webhooks/telegram and checks X-Telegram-Bot-Api-Secret-Token in constant time.
 * TELEGRAM_API_ROOT points the bot at any Bot API server (self-hosted or a test fake).
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { ChannelContext, ChannelModule } from '../../core/channels.js';
import { routeLimits } from '../../core/http/limits.js';
import { AppError } from '../../core/errors.js';
import { wellFormed } from '../../core/http/boundary.js';
import { errorSummary } from '../../core/outbox/dispatcher.js';
import { parseJson, registerRawWebhook, safeEqual, unauthorized, validated } from '../shared/webhook.js';
import { telegramPort } from './port.js';
import { TELEGRAM, telegramUpdate, translateUpdate } from './translate.js';

export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';

/** Turns one update into a turn; answers the callback query (stops the button spinner) after it. */
async function processUpdate(ctx: ChannelContext, bot: Bot, update: Update): Promise<void> {
  const inbound = translateUpdate(update);
  if (inbound) await ctx.runtime.handleTurn(inbound);
  if (update.callback_query) {
    await bot.api.answerCallbackQuery(update.callback_query.id).catch((err: unknown) => ctx.logger.warn({ err: errorSummary(err) }, 'answerCallbackQuery failed'));
  }
}

export const telegramModule: ChannelModule = {
  name: TELEGRAM,
  enabled: (config) => Boolean(config.TELEGRAM_BOT_TOKEN),
  async start(ctx) {
    const { config, logger } = ctx;
    const bot = new Bot(config.TELEGRAM_BOT_TOKEN!, { client: { apiRoot: config.TELEGRAM_API_ROOT } });
    // Short waits for 429 retry_after are taken here; longer ones go back to the outbox's backoff.
    bot.api.config.use(autoRetry({ maxRetryAttempts: 1, maxDelaySeconds: 5, rethrowInternalServerErrors: true, rethrowHttpErrors: true }));
    const mode = config.TELEGRAM_MODE ?? 'polling';

    if (mode === 'webhook') {
      const secret = config.TELEGRAM_WEBHOOK_SECRET!;
      await registerRawWebhook(ctx.server, TELEGRAM_WEBHOOK_PATH, routeLimits(ctx.config).webhook, async (request, reply, raw) => {
        const given = request.headers['x-telegram-bot-api-secret-token'];
        if (typeof given !== 'string' || !safeEqual(given, secret)) throw unauthorized('bad secret token');
        const update = validated(telegramUpdate, parseJson(raw), 'Telegram update') as unknown as Update;
        await processUpdate(ctx, bot, update);
        return reply.status(200).send({ ok: true });
      });
    } else {
      bot.use(async (grammyCtx) => {
        // Long polling: the same checks as the webhook; a malformed update is logged and skipped.
        const parsed = telegramUpdate.safeParse(wellFormed(grammyCtx.update));
        if (!parsed.success) {
          logger.warn({ code: 'BAD_INPUT', updateId: grammyCtx.update.update_id }, 'telegram: malformed update skipped');
          return;
        }
        await processUpdate(ctx, bot, parsed.data as unknown as Update);
      });
      bot.catch((err) => {
        const cause = err.error;
        logger.error({ err: errorSummary(cause), updateId: err.ctx.update.update_id, code: cause instanceof AppError ? cause.code : undefined }, 'telegram update failed');
      });
    }

    let polling: Promise<void> | undefined;
    return {
      port: telegramPort(bot.api),
      async afterListen() {
        if (mode === 'webhook') {
          if (config.PUBLIC_URL) {
            const url = new URL(TELEGRAM_WEBHOOK_PATH, config.PUBLIC_URL).toString();
            await bot.api.setWebhook(url, { secret_token: config.TELEGRAM_WEBHOOK_SECRET!, allowed_updates: ['message', 'callback_query'] });
            logger.info({ url }, 'telegram webhook registered');
          } else {
            logger.warn('TELEGRAM_MODE=webhook without PUBLIC_URL: register the webhook yourself');
          }
          return;
        }
        await bot.init();
        polling = bot.start({ allowed_updates: ['message', 'callback_query'], onStart: (me) => logger.info({ bot: me.username }, 'telegram long polling started') });
        polling.catch((err: unknown) => logger.error({ err: errorSummary(err) }, 'telegram polling stopped'));
      },
      async stop() {
        if (polling) {
          await bot.stop();
          await polling.catch(() => undefined);
        }
      },
    };
  },
};
