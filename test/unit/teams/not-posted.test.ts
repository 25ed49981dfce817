import { loadTemplates } from '../../../adapters/templates-loader';
import { notPostedCode, notPostedReason, notPostedYet } from '../../../adapters/teams/not-posted';
import { LOCALES } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { OutboxItem } from '../../../src/ports/run-store.port';
import { frenchTypographyProblems } from '../../helpers/french-typography';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

test('a connector error summary is read as what happened, never passed on raw', () => {
  expect(notPostedCode('RestError(BotNotInConversationRoster): The bot is not part of the conversation roster.')).toBe(
    'not_in_conversation',
  );
  expect(notPostedCode('RestError(ConversationNotFound): Conversation not found.')).toBe('conversation_not_found');
  expect(notPostedCode('RestError(ConversationBlockedByUser): User blocked the conversation with the bot.')).toBe('blocked_by_user');
  expect(notPostedCode('RestError(BotDisabledByAdmin): The tenant admin disabled this bot')).toBe('disabled_by_admin');
  expect(notPostedCode('RestError(ServiceError): injected failure')).toBe('server_error');
  expect(notPostedCode('RestError(REQUEST_SEND_ERROR): connect ECONNREFUSED 127.0.0.1:1')).toBe('unreachable');
  expect(notPostedCode('RestError(MessageSizeTooBig): too big')).toBe('other:MessageSizeTooBig');
  expect(notPostedCode('Error: continueConversationAsync ended without running the logic')).toBe('unknown');
  expect(notPostedCode(undefined)).toBe('unknown');
});

test('every reason exists in en, fr and de, in plain words (French typography kept)', () => {
  const codes = ['not_in_conversation', 'conversation_not_found', 'blocked_by_user', 'disabled_by_admin', 'not_enough_permissions'];
  for (const L of LOCALES) {
    for (const code of [...codes, 'server_error', 'ratelimited', 'unreachable', 'unknown', 'other:MessageSizeTooBig']) {
      const text = notPostedReason(builder, L, code);
      expect(text).not.toContain('teams.blocked');
      expect(text).not.toMatch(/^other:|\{\{/);
      if (L === 'fr') expect(frenchTypographyProblems(text)).toEqual([]);
    }
    expect(notPostedReason(builder, L, 'other:MessageSizeTooBig')).toContain('`MessageSizeTooBig`');
    const pending = builder.t(L, 'teams.resume.pending', { runId: 'R-1', reason: notPostedReason(builder, L, 'not_in_conversation') });
    expect(pending).toContain('Digitick onboarding');
    expect(pending).not.toContain('()');
  }
});

test('notPostedYet: null when nothing failed, else the code of the first failed item, or of a delivery given up since the resume', async () => {
  const item = (attempts: number, lastError?: string) => ({ attempts, ...(lastError ? { lastError } : {}) }) as OutboxItem;
  const store = (items: OutboxItem[], refs: Record<string, unknown> = {}) => ({
    pendingOutbox: async () => items,
    getRefs: async () => refs,
  });
  expect(await notPostedYet(store([item(0)]), 'R')).toBeNull();
  expect(await notPostedYet(store([item(0), item(2, 'RestError(BotNotInConversationRoster): x')]), 'R')).toEqual({
    code: 'not_in_conversation',
    gaveUp: false,
  });
  const given = { 'teams.blocked': { code: 'server_error', at: 2000 } };
  expect(await notPostedYet(store([], given), 'R', 1500)).toEqual({ code: 'server_error', gaveUp: true });
  expect(await notPostedYet(store([], given), 'R', 2500)).toBeNull(); // given up before this resume
  expect(await notPostedYet(store([], given), 'R')).toBeNull();
});
