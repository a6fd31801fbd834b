/**
 * Bot Framework channels (Azure Bot Service: Teams, Web Chat, Facebook Messenger, ...) through
 * botbuilder's CloudAdapter: POST /api/messages, JWT-authenticated by botbuilder, on when
 * MICROSOFT_APP_ID is set. Replies go out proactively from the outbox with the stored
 * conversation reference (erased with the conversation).
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import type { ServiceClientCredentialsFactory } from 'botframework-connector';
import type { ChannelContext, ChannelModule } from '../../core/channels.js';
import { AppError, DeliveryError } from '../../core/errors.js';
import { routeLimits } from '../../core/http/limits.js';
import { BOTFRAMEWORK, botActivity, referenceOf, toActivity, toInbound } from './translate.js';

/** CloudAdapter whose authenticated turn processing is callable from our Fastify route (errors surface to us). */
class HotlineCloudAdapter extends CloudAdapter {
  processAuthenticated(authHeader: string, activity: Activity, logic: Parameters<CloudAdapter['processActivityDirect']>[2]) {
    return this.processActivity(authHeader, activity, logic);
  }
}

/** Tests and private clouds can supply how outbound calls get their token (default: botbuilder's MSAL). */
let credentialsFactoryOverride: ServiceClientCredentialsFactory | undefined;
export function useBotFrameworkCredentials(factory: ServiceClientCredentialsFactory | undefined): void {
  credentialsFactoryOverride = factory;
}

export const botFrameworkModule: ChannelModule = {
  name: BOTFRAMEWORK,
  enabled: (config) => Boolean(config.MICROSOFT_APP_ID),
  async start(ctx: ChannelContext) {
    const { config, logger, runtime, server } = ctx;
    const auth = new ConfigurationBotFrameworkAuthentication(
      {
        MicrosoftAppId: config.MICROSOFT_APP_ID,
        MicrosoftAppPassword: config.MICROSOFT_APP_PASSWORD,
        MicrosoftAppType: config.MICROSOFT_APP_TYPE,
        MicrosoftAppTenantId: config.MICROSOFT_APP_TENANT_ID,
        // Private clouds (and tests) point the channel-token checks at their own OpenID metadata.
        ...(config.BOTFRAMEWORK_OPENID_METADATA_URL
          ? {
              ToBotFromChannelOpenIdMetadataUrl: config.BOTFRAMEWORK_OPENID_METADATA_URL,
              ToBotFromChannelTokenIssuer: config.BOTFRAMEWORK_TOKEN_ISSUER,
              ToChannelFromBotLoginUrl: config.BOTFRAMEWORK_LOGIN_URL,
              ToChannelFromBotOAuthScope: config.BOTFRAMEWORK_OAUTH_SCOPE,
              ValidateAuthority: false,
            }
          : {}),
      },
      credentialsFactoryOverride,
    );
    const adapter = new HotlineCloudAdapter(auth);
    adapter.onTurnError = async (_context, error) => {
      logger.error({ code: (error as { code?: string }).code ?? 'BOTFRAMEWORK_TURN_FAILED', name: error.name }, 'botframework turn failed');
      throw error;
    };

    server.post('/api/messages', { config: { rateLimit: routeLimits(config).webhook } }, async (request, reply) => {
      // Authentication is on whenever MICROSOFT_APP_ID is set: no valid token, no turn, nothing stored.
      const authHeader = request.headers.authorization;
      if (!authHeader) throw new AppError('UNAUTHORIZED', 'the Bot Framework token is missing', 401);
      const parsed = botActivity.safeParse(request.body);
      if (!parsed.success) throw new AppError('BAD_INPUT', 'not a Bot Framework activity', 400);
      const body = parsed.data as unknown as Activity;
      let invokeResponse: { status: number; body?: unknown } | undefined;
      try {
        invokeResponse = await adapter.processAuthenticated(authHeader, body as Activity, async (turn) => {
          const inbound = toInbound(turn.activity);
          if (inbound) await runtime.handleTurn(inbound);
        });
      } catch (err) {
        if (isAuthenticationFailure(err)) throw new AppError('UNAUTHORIZED', 'the Bot Framework token is invalid', 401);
        throw err;
      }
      // Invokes this bot does not implement (botbuilder answers 501) are acknowledged and ignored.
      const status = invokeResponse?.status && invokeResponse.status < 500 ? invokeResponse.status : 200;
      return reply.status(status).send(status === invokeResponse?.status ? (invokeResponse.body ?? '') : '');
    });

    return {
      port: {
        channel: BOTFRAMEWORK,
        async send(target, message) {
          const reference = referenceOf(target.channelRef);
          if (!reference) throw new DeliveryError('DELIVERY_UNREACHABLE', 'no conversation reference for this chat');
          let id: string | undefined;
          try {
            await adapter.continueConversationAsync(config.MICROSOFT_APP_ID!, reference, async (turn) => {
              id = (await turn.sendActivity(toActivity(message)))?.id;
            });
          } catch (err) {
            const code = (err as { statusCode?: number }).statusCode;
            if (code === 403 || code === 404) throw new DeliveryError('DELIVERY_UNREACHABLE', `bot connector refused: ${code}`);
            if (code && code >= 400 && code < 500 && code !== 429) throw new DeliveryError('DELIVERY_REJECTED', `bot connector refused: ${code}`);
            throw new DeliveryError('DELIVERY_RETRYABLE', 'bot connector unavailable');
          }
          return id ? { channelMessageId: id } : undefined;
        },
        async typing(target) {
          const reference = referenceOf(target.channelRef);
          if (!reference) return;
          await adapter.continueConversationAsync(config.MICROSOFT_APP_ID!, reference, async (turn) => {
            await turn.sendActivity({ type: 'typing' });
          });
        },
      },
    };
  },
};

/** botbuilder and jsonwebtoken signal a refused token in several ways (their classes may be duplicated in node_modules). */
function isAuthenticationFailure(err: unknown): boolean {
  const e = err as { name?: string; statusCode?: number; message?: string };
  return (
    e.statusCode === 401 ||
    ['AuthenticationError', 'JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(e.name ?? '') ||
    /unauthori[sz]ed|finding key|invalid (signature|token)|jwt/i.test(e.message ?? '')
  );
}
