/** The Web API calls this surface makes (Bolt's `app.client.apiCall` fits). Answers are parsed with zod. */
export interface SlackWeb {
  /**
   * Calls a Web API method with the bot token; objects (blocks, metadata, view) are sent as JSON
   * strings in form fields.
   * @throws the Web API error (`data.error` holds Slack's code) when Slack answers `ok: false` or fails.
   */
  apiCall(method: string, args?: Record<string, unknown>): Promise<unknown>;
}
