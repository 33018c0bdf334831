import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import { createModel, DEFAULT_MODEL_CONTEXT } from '../models/registry.js';
import { createModelServer, SERVE_DEFAULTS } from './server.js';

export interface ServeCommandOptions {
  model: string;
  host: string;
  port: number;
  apiKey?: string;
  name?: string;
  maxTokens: number;
  maxN: number;
  maxBodyBytes: number;
  allowedHosts: string[];
}

/**
 * Starts the server and resolves when it has shut down (SIGINT/SIGTERM: stop accepting, let
 * requests in flight finish, then close).
 */
export async function serve(o: ServeCommandOptions, log: (line: string) => void, listening?: (at: { url: string; model: string }) => void): Promise<void> {
  const model = await createModel(o.model, DEFAULT_MODEL_CONTEXT);
  if (!model.chat && !model.complete) throw new UserError(`model ${o.model} cannot generate text, so it cannot be served (serve a generative model such as scratch)`);
  const modelName = o.name ?? o.model;
  const server = createModelServer(model, { ...SERVE_DEFAULTS, modelName, apiKey: o.apiKey, maxTokens: o.maxTokens, maxN: o.maxN, maxBodyBytes: o.maxBodyBytes, allowedHosts: o.allowedHosts });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`cannot listen on ${o.host}:${o.port}: ${e.code ?? e.message}`)));
    server.listen(o.port, o.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${host}:${port}/v1`;
  log(`emobench serve: ${modelName} on ${url}${o.apiKey ? ' (API key required)' : ''}`);
  listening?.({ url, model: modelName });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log(`emobench serve: ${sig}: finishing requests in flight`);
      server.close(() => resolve());
      server.closeIdleConnections();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await model.close?.();
}
