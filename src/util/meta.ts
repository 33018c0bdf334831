import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { PACKAGE_ROOT, pkgPath } from './paths.js';

export function emobenchVersion(): string {
  return (JSON.parse(readFileSync(pkgPath('package.json'), 'utf8')) as { version: string }).version;
}

/** The commit the harness ran from, with "-dirty" when the tree had changes; null outside git. */
export function gitCommit(): string | null {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
    const sha = git('rev-parse', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return null;
  }
}

export interface HostInfo {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  memory_gb: number;
}

export function hostInfo(): HostInfo {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  };
}
