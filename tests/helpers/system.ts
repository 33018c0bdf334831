import { existsSync } from 'node:fs';

/**
 * A system component some tests need (a browser, a GPU adapter) that `npm install` does not bring.
 * On a machine without it those tests skip with one line saying how to enable them, so `npm test`
 * passes on a fresh clone; where `requireVar`=1 (CI: .ci/run sets it after installing the
 * component) a missing component fails them instead, so CI can never skip them quietly.
 */
export interface SystemComponent {
  /** What is missing, e.g. "Chromium (/usr/bin/chromium)". */
  name: string;
  present: () => boolean;
  /** The command that installs or enables it. */
  enable: string;
  /** Environment variable that turns the skip into a failure. */
  requireVar: string;
}

/** For `test(name, { skip: skipUnless(X) }, fn)`: false when the test must run, else the reason it skips. */
export function skipUnless(c: SystemComponent): string | false {
  if (c.present()) return false;
  if (process.env[c.requireVar] === '1') return false;
  return `${c.name} not found; run \`${c.enable}\` to run this test (${c.requireVar}=1 makes this a failure, as .ci/run does)`;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM: SystemComponent = {
  name: `Chromium (${CHROMIUM_PATH})`,
  present: () => existsSync(CHROMIUM_PATH),
  enable: 'sudo apt-get install -y chromium',
  requireVar: 'EMOBENCH_REQUIRE_BROWSER',
};
