/** `webhook`: a POST of a JSON body to an HTTPS URL, with templated URL, headers and body. */
import { HEADER_VALUE_WHITELIST } from '../config/load';
import { renderJson, renderText, renderUrl, TemplateRenderError } from '../templates';
import type { DestinationConnector } from './connector';

export const webhookConnector: DestinationConnector = {
  kind: 'webhook',
  render({ destination, event, enrichment }) {
    const context = { event, enrichment, destination: { name: destination.name } };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const h of destination.headers) {
      if (h.secret) continue;
      const value = renderText(h.value, context);
      if (!HEADER_VALUE_WHITELIST.test(value)) {
        throw new TemplateRenderError(`header ${h.key} renders to characters outside the header whitelist`);
      }
      headers[h.key.toLowerCase()] = value;
    }
    const body = destination.body === undefined ? { ...event, enrichment } : renderJson(destination.body, context);
    return { method: 'POST', url: renderUrl(destination.url, context), headers, body: JSON.stringify(body) };
  },
};
