import type { Argv, CommandModule } from 'yargs';
import { serve } from '../serve/command.js';
import { SERVE_DEFAULTS } from '../serve/server.js';
import { outputOptions, UsageError } from './shared.js';

function builder(y: Argv) {
  return (
    outputOptions(y, 'the address once listening ({"url", "model"}, one line; the log then goes quiet)')
      .option('model', { type: 'string', demandOption: true, describe: 'model spec to serve, e.g. scratch' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind (loopback by default; 0.0.0.0 exposes it to the network)' })
      .option('port', { type: 'number', default: 8000, describe: 'port (0 picks a free one)' })
      .option('api-key', { type: 'string', describe: 'require this bearer key (default: $EMOBENCH_API_KEY if set)' })
      .option('name', { type: 'string', describe: 'model id clients send (default: the spec)' })
      .option('max-tokens', { type: 'number', default: SERVE_DEFAULTS.maxTokens, describe: 'largest max_tokens a request may ask for' })
      .option('max-n', { type: 'number', default: SERVE_DEFAULTS.maxN, describe: 'largest n a request may ask for' })
      .option('allowed-host', { type: 'string', array: true, default: [] as string[], describe: 'without --api-key: a Host name to accept besides loopback (repeatable), e.g. for --host 0.0.0.0' })
      .option('max-body', { type: 'number', default: SERVE_DEFAULTS.maxBodyBytes, describe: 'largest request body in bytes' })
      .check((a) => {
        if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new UsageError('--port must be 0-65535');
        return true;
      })
      .example('$0 serve --model scratch --port 8000', 'then: emobench eval --suite emotion --model openai:emobench-serve')
  );
}

type Parsed = Awaited<ReturnType<typeof builder>['argv']>;

export const serveCommand: CommandModule<object, Parsed> = {
  command: 'serve',
  describe: 'Serve a local model behind an OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions)',
  builder: builder as unknown as CommandModule<object, Parsed>['builder'],
  handler: async (a) => {
    await serve(
      { model: a.model, host: a.host, port: a.port, apiKey: a['api-key'] ?? process.env['EMOBENCH_API_KEY'], name: a.name, maxTokens: a['max-tokens'], maxN: a['max-n'], maxBodyBytes: a['max-body'], allowedHosts: a['allowed-host'] },
      (line) => (a.quiet || a.json ? undefined : process.stderr.write(`${line}\n`)),
      (at) => (a.json ? process.stdout.write(`${JSON.stringify(at)}\n`) : undefined),
    );
  },
};
