/**
 * `help` and the product guide. Pure: no I/O.
 */
import { COMMAND_NAME, type Locale, type Surface } from '../domain/ids';
import type { Message } from './model';
import { HELP_COMMANDS, type HelpCommand } from '../workflow/help-commands';
import { ErrorMessages } from './errors';

export class HelpMessages extends ErrorMessages {
  /**
   * `help`: what the bot does, the commands, threads, no mappings. `commands` are the ones the
   * caller may use (`AccessPolicy.commands`); default: all of them.
   */
  help(locale: Locale, surface: Surface, commands: readonly HelpCommand[] = HELP_COMMANDS): Message {
    // Slack commands start with the slash command; Teams users type the words alone.
    const command = surface === 'slack' ? COMMAND_NAME : '';
    const text = [this.r.t(locale, 'help.text'), this.commandList(locale, command, commands), this.r.t(locale, 'help.notes')].join('\n\n');
    return this.textMessage('help', locale, text, this.r.t(locale, 'help.header'));
  }

  /** The `help` list of `commands` (one line each, `help.command.<name>`), written with `command` (`/digitick-onboard`; '' for the words alone, as typed in Teams). */
  commandList(locale: Locale, command: string, commands: readonly HelpCommand[] = HELP_COMMANDS): string {
    const lines = HELP_COMMANDS.filter((c) => commands.includes(c)).map((c) => this.r.t(locale, `help.command.${c}`, { command }));
    return [this.r.t(locale, 'help.commands.header'), ...lines].join('\n');
  }

  /** `product`: the short guide to put a product on sale on Digitick. */
  productGuide(locale: Locale, channelCode = 'DGTK'): Message {
    return this.textMessage('product_guide', locale, this.r.t(locale, 'product.text', { channelCode }), this.r.t(locale, 'product.header'));
  }
}
