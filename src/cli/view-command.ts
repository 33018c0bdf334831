import type { Argv, CommandModule } from 'yargs';
import { startView } from '../view/server.js';
import { outputOptions, UsageError } from './shared.js';

function builder(y: Argv) {
  return outputOptions(y, 'the address once listening ({"url", "dirs"}, one line; the log then goes quiet)')
    .positional('dirs', { type: 'string', array: true, default: ['results'], describe: 'results folders to browse (default: results)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind (loopback by default; anything else exposes your results to the network)' })
    .option('port', { type: 'number', default: 8080, describe: 'port (0 picks a free one)' })
    .option('alpha', { type: 'number', default: 0.05, describe: 'significance level for ties and comparisons' })
    .check((a) => {
      if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError('--port must be 0-65535');
      if (!(a.alpha > 0 && a.alpha < 1)) throw new UsageError('--alpha must be between 0 and 1, e.g. 0.05');
      return true;
    })
    .example('$0 view', 'browse ./results at http://127.0.0.1:8080/')
    .example('$0 view results ci-results --port 0', 'several folders, any free port');
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

/** `emobench view`: serves until Ctrl-C; the handler's promise settles when the server closes. */
export const viewCommand: CommandModule<object, Parsed> = {
  command: 'view [dirs..]',
  describe: 'Browse every run in a local web page: run list, leaderboards across runs, any two runs compared',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    const loopback = a.host === 'localhost' || a.host === '::1' || a.host.startsWith('127.');
    const log = (line: string) => (a.quiet || a.json ? undefined : process.stderr.write(`${line}\n`));
    // The exposure warning is printed whatever --quiet says.
    if (!loopback) process.stderr.write(`emobench view: warning: listening on ${a.host}: anyone who can reach this machine can read these results\n`);
    const { server, url } = await startView({ roots: a.dirs, host: a.host, port: a.port, alpha: a.alpha, log });
    if (a.json) process.stdout.write(`${JSON.stringify({ url, dirs: a.dirs })}\n`);
    else if (!a.quiet) process.stdout.write(`emobench view: ${url} (${a.dirs.join(', ')}; Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        server.close(() => resolve());
        server.closeAllConnections();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
