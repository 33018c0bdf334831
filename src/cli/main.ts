import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, RuntimeFailure, UserError } from '../errors.js';
import { emobenchVersion } from '../util/meta.js';
import { redact } from '../util/redact.js';
import { didYouMean } from '../util/suggest.js';
import { attentionCommand } from './attention-command.js';
import { compareCommand } from './compare-command.js';
import { evalCommand } from './eval-command.js';
import { exportCommand } from './export-command.js';
import { gateCommand } from './gate-command.js';
import { initCommand } from './init-command.js';
import { listCommand } from './list-command.js';
import { validateCommand } from './validate-command.js';
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
  const cli = yargs(joinNegativeValues(argv))
    .scriptName('emobench')
    .version(emobenchVersion())
    .strict()
    .demandCommand(1, 'name a command, e.g. `emobench eval --suite emotion`')
    .recommendCommands()
    .command(evalCommand)
    .command(validateCommand)
    .command(listCommand)
    .command(initCommand)
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
    .middleware((a) => {
      // yargs turns a flag given twice into an array; for a one-value option that would reach the
      // command as the wrong type, so it is refused here by name.
      const o = (cli as unknown as { getOptions(): { array: string[]; key: Record<string, unknown> } }).getOptions();
      for (const [k, v] of Object.entries(a)) {
        if (k !== '_' && Array.isArray(v) && k in o.key && !o.array.includes(k)) throw new UsageError(`--${k} was given ${v.length} times (${v.join(', ')}); give it once`);
      }
    }, true)
    .fail((msg, err) => {
      // The parser's options at the moment of failure are the failing command's.
      throw err ?? new UsageError(withSuggestions(msg, Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key), argv[0]));
    })
    .example('$0 list', 'the shipped suites, model kinds, endpoints and weights')
    .example('$0 eval --suite emotion', 'the emotion suite on its default models')
    .example('$0 eval --suite emotion --dataset csv:my-data.csv --model nb', 'your own labelled CSV')
    .example('$0 validate --suite emotion --dataset csv:my-data.csv', 'every bad row of a file at once')
    .example('$0 init', 'scaffold a suite, sample data and a CI workflow')
    .example('$0 report results/emotion-* --out reports/index.html', 'one HTML report over runs')
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
      process.stderr.write(`emobench: ${redact(e.message)}\nRun "emobench --help" or "emobench <command> --help" for usage.\n`);
      return EXIT.badInput;
    }
    if (e instanceof UserError || e instanceof RuntimeFailure) {
      process.stderr.write(`emobench: ${redact(e.message)}\n`);
      return e.exitCode;
    }
    const io = ioFailure(e);
    if (io) {
      process.stderr.write(`emobench: ${redact(io)}\n`);
      return EXIT.runtime;
    }
    process.stderr.write(`emobench: unexpected failure: ${redact((e as Error)?.stack ?? String(e))}\n`);
    return EXIT.runtime;
  }
}

/**
 * `--shard -1/3`: yargs reads a value starting with "-" as flags ("Unknown argument: 1"); joined as
 * `--shard=-1/3` it reaches the option's own check, which says what is wrong with it.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--shard' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--shard=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

/**
 * A failed system call (a full disk, a read-only folder, a path that is a directory) is the
 * environment's fault, not a bug: one line naming the file, exit 3, and what was written stays.
 */
function ioFailure(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof err.code !== 'string' || !/^E[A-Z0-9]+$/.test(err.code) || err.syscall === undefined) return undefined;
  const what = IO_REASONS[err.code] ?? err.code;
  return `cannot ${err.syscall}${err.path ? ` ${err.path}` : ''}: ${what} (${err.code})`;
}

const IO_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
};

/** yargs' "Unknown argument: limt" with "(did you mean --limit?)" for each mistyped option. */
export function withSuggestions(msg: string, known: readonly string[], command?: string): string {
  if (msg.startsWith('Did you mean') && command) return `unknown command "${command}". ${msg}`;
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return msg;
  const names = m[1]!.split(', ');
  const options = known.filter((k) => k.length > 1 && k !== '$0');
  return `${msg.split(':')[0]}: ${names.map((n) => `${n.length > 1 ? '--' : '-'}${n}${didYouMean(n, options).replace(/did you mean (\S+)\?/, 'did you mean --$1?')}`).join(', ')}`;
}

export async function runCli(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv));
}
