/** A connection's webhook endpoint, served for every channel by modules/connections/webhooks.ts. */
export const webhookUrl = (publicUrl: string, type: string, connectionId: string) =>
  `${publicUrl}/api/webhooks/${type}/${connectionId}`;
