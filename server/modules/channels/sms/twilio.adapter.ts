import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderSendError, type ChannelAdapter, type InboundText } from './sms-adapter.js';

/**
 * Twilio's request signature: HMAC-SHA1 keyed with the auth token over the full URL the provider
 * posted to, followed by every POST parameter name and value sorted by name; base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export const twilioAdapter: ChannelAdapter = {
  name: 'twilio',
  channel: 'sms',
  verifySignature({ url, params, signature, secret }) {
    if (!signature || !secret) return false;
    const expected = Buffer.from(twilioSignature(secret, url, params));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  },
  parseInbound(params): InboundText | null {
    const externalId = params.MessageSid ?? params.SmsSid;
    if (!externalId || !params.From || !params.To) return null;
    const count = Math.min(10, Number.parseInt(params.NumMedia ?? '0', 10) || 0);
    const mediaUrls: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const u = params[`MediaUrl${i}`];
      if (u && /^https?:\/\//.test(u)) mediaUrls.push(u);
    }
    return { externalId, from: params.From, to: params.To, body: params.Body ?? '', mediaUrls };
  },
  async send(config, message) {
    const url = `${config.apiBaseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ To: message.to, From: message.from, Body: message.body }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ProviderSendError(`provider unreachable: ${err instanceof Error ? err.message : String(err)}`, false);
    }
    const text = await res.text();
    if (!res.ok) {
      // 4xx (but 429) means the provider refused this message; retrying sends the same refusal.
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 429;
      throw new ProviderSendError(`provider answered ${res.status}: ${text.slice(0, 300)}`, permanent);
    }
    let body: { sid?: unknown; status?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      /* a 2xx without JSON still means accepted */
    }
    return { externalId: typeof body.sid === 'string' ? body.sid : '', status: typeof body.status === 'string' ? body.status : 'queued' };
  },
};
