// A headless Chromium for the browser tests and the screenshots: the system's own (Debian's
// `chromium` package), driven by playwright-core, which never downloads a browser of its own.
// Set CHROMIUM_PATH to use another build; .ci/run installs Debian's when it is missing.
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a root container with a closed network: root cannot use Chromium's sandbox, and
 * without the background-networking flags Chromium keeps trying (and failing) to reach Google.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** The Chromium executable: CHROMIUM_PATH, else /usr/bin/chromium; an error naming how to install it when there is none. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROMIUM_PATH?.trim();
  const candidate = configured || DEFAULT_CHROMIUM;
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    throw new Error(
      configured
        ? `CHROMIUM_PATH is ${configured}, which is not an executable file: point it at a Chromium or Chrome binary, or unset it to use ${DEFAULT_CHROMIUM}`
        : `no Chromium at ${DEFAULT_CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does this) or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
  }
}

export interface HeadlessBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Starts headless Chromium (playwright-core gives it an empty profile of its own, removed on close). */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<HeadlessBrowser> {
  const executablePath = chromiumPath(env);
  const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS, timeout: 60_000 });
  return { browser, close: () => browser.close().catch(() => undefined) };
}
