import type { CommandRunner } from 'nest-commander';

type CommanderCommand = Parameters<CommandRunner['setCommand']>[0];

/**
 * The run of a command that only groups subcommands. nest-commander gives every command an action,
 * so Commander hands a mistyped subcommand to the group as an argument instead of refusing it:
 * refuse it here, in Commander's words for an unknown command, with the subcommands there are.
 * Without one, the group prints its help.
 */
export function runCommandGroup(command: CommanderCommand, params: string[]): void {
  if (params.length > 0) {
    const known = command.commands.map((subcommand) => subcommand.name()).join(', ');
    command.error(`error: unknown command '${command.name()} ${params[0]}' (${command.name()} takes: ${known})`);
  }
  command.help();
}
