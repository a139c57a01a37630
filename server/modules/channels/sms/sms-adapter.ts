/** One inbound text as an adapter understood it from the provider's webhook. */
export interface InboundText {
  externalId: string;
  from: string;
  to: string;
  body: string;
  /** Media the provider hosts; recorded as links (fetching them needs the provider's credentials). */
  mediaUrls: string[];
}

export interface ProviderConfig {
  accountSid: string;
  authToken: string;
  apiBaseUrl: string;
}

/** Thrown by `send`: `permanent` failures (the provider refused the message) are not retried. */
export class ProviderSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'ProviderSendError';
  }
}

/**
 * A messaging provider (SMS, WhatsApp, social). Each adapter knows its webhook's signature and
 * fields and its send API; threading, contacts and tickets are the channel's, not the adapter's.
 */
export interface ChannelAdapter {
  readonly name: string;
  /** The ticket channel its conversations use. */
  readonly channel: 'sms' | 'social';
  verifySignature(input: { url: string; params: Record<string, string>; signature: string | undefined; secret: string }): boolean;
  parseInbound(params: Record<string, string>): InboundText | null;
  send(config: ProviderConfig, message: { from: string; to: string; body: string }): Promise<{ externalId: string; status: string }>;
}
