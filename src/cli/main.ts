import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, RuntimeFailure, UserError } from '../errors.js';
import { emobenchVersion } from '../util/meta.js';
import { attentionCommand } from './attention-command.js';
import { compareCommand } from './compare-command.js';
import { evalCommand } from './eval-command.js';
import { exportCommand } from './export-command.js';
import { gateCommand } from './gate-command.js';
import { mergeCommand } from './merge-command.js';
import { profileCommand } from './profile-command.js';
import { publishCommand } from './publish-command.js';
import { reportCommand } from './report-command.js';
import { rescoreCommand } from './rescore-command.js';
import { serveCommand } from './serve-command.js';
import { takeExitCode, UsageError } from './shared.js';
import { trainCommand } from './train-command.js';
import { viewCommand } from './view-command.js';

/** The command line: one module per command (./*-command.ts); here only parsing and exit codes. */
export async function main(argv: string[]): Promise<number> {
  const cli = yargs(argv)
    .scriptName('emobench')
    .version(emobenchVersion())
    .strict()
    .demandCommand(1, 'name a command, e.g. `emobench eval --suite emotion`')
    .recommendCommands()
    .command(evalCommand)
    .command(gateCommand)
    .command(reportCommand)
    .command(exportCommand)
    .command(trainCommand)
    .command(rescoreCommand)
    .command(compareCommand)
    .command(serveCommand)
    .command(profileCommand)
    .command(attentionCommand)
    .command(mergeCommand)
    .command(viewCommand)
    .command(publishCommand)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .help()
    .alias('h', 'help')
    .epilogue('Exit codes: 0 ok · 1 a gate failed · 2 bad usage or input · 3 runtime failure')
    .wrap(process.stdout.columns ? Math.min(110, process.stdout.columns) : null);

  takeExitCode();
  try {
    await cli.parseAsync();
    return takeExitCode() ?? EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`emobench: ${e.message}\nRun "emobench --help" or "emobench <command> --help" for usage.\n`);
      return EXIT.badInput;
    }
    if (e instanceof UserError || e instanceof RuntimeFailure) {
      process.stderr.write(`emobench: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`emobench: unexpected failure: ${(e as Error)?.stack ?? String(e)}\n`);
    return EXIT.runtime;
  }
}

export async function runCli(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}
