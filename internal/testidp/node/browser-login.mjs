// Drives headless Chromium through a login at the test IdP.
//
// Input (JSON on stdin): {authURL, username, password, executablePath,
//   ignoreHTTPSErrors, timeoutMs}
// Output (one JSON line on stdout):
//   {closeAttempted, url, status, text} or {error, rejected}
// closeAttempted is true when the page reached after leaving the IdP (the
// client's loopback callback) called window.close() or got closed.

import { chromium } from 'playwright-core';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const deadline = Date.now() + (input.timeoutMs || 60000);
const remaining = () => Math.max(1000, deadline - Date.now());
// How long the callback page gets to call window.close() after loading.
const closeWaitMs = 3000;

const t0 = Date.now();
const log = (...args) => console.error(`[browser-login +${Date.now() - t0}ms]`, ...args);

function finish(result) {
  log('result', JSON.stringify(result));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Playwright gives every launch() a fresh temporary profile (--user-data-dir).
const browser = await chromium.launch({
  executablePath: input.executablePath,
  headless: true,
  timeout: remaining(),
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-quic',
  ],
});

log('launched');
try {
  const context = await browser.newContext({ ignoreHTTPSErrors: !!input.ignoreHTTPSErrors });
  context.setDefaultTimeout(remaining());

  // Chromium ignores window.close() for tabs not opened by a script, so record
  // the call itself.
  let closeCalls = 0;
  await context.exposeBinding('__testidpWindowClose', () => { closeCalls += 1; });
  await context.addInitScript(() => {
    const original = window.close.bind(window);
    window.close = () => {
      try { window.__testidpWindowClose(); } catch { /* binding gone */ }
      original();
    };
  });

  const page = await context.newPage();
  let pageClosed = false;
  page.on('close', () => { pageClosed = true; });

  // The app may hand out its one-time local start address, which redirects
  // to the IdP: the IdP's origin is where the login page is.
  let idpOrigin = new URL(input.authURL).origin;
  const leftIdP = (u) => u.origin !== idpOrigin;
  let callbackStatus = 0;
  let started = false;
  page.on('response', (resp) => {
    const st = resp.status();
    // Redirects (the callback's 303 to its /done page) are not the page.
    if (started && resp.request().isNavigationRequest() && resp.frame() === page.mainFrame()
      && leftIdP(new URL(resp.url())) && (st < 300 || st >= 400)) {
      callbackStatus = st;
    }
  });

  await page.goto(input.authURL);
  idpOrigin = new URL(page.url()).origin;
  started = true;
  log('login page', page.url());
  await page.fill('#username', input.username);
  await page.fill('#password', input.password);
  await page.click('#login-submit', { noWaitAfter: true });

  // Either we end up at the callback or the login page shows an error.
  const reached = page.waitForURL(leftIdP, { waitUntil: 'load' }).then(() => 'callback');
  const rejected = page.waitForSelector('#login-error').then(() => 'rejected');
  reached.catch(() => {}); // the loser rejects when the browser closes
  rejected.catch(() => {});
  let outcome;
  try {
    outcome = await Promise.race([reached, rejected]);
  } catch (err) {
    if (!pageClosed) throw err;
    outcome = 'callback'; // closed itself while loading
  }
  log(outcome, page.isClosed() ? '(closed)' : page.url());
  if (outcome === 'rejected') {
    finish({ rejected: true, error: (await page.textContent('#login-error')).trim() });
  } else {
    const url = pageClosed ? '' : page.url();
    const text = await page.innerText('body').catch(() => '');
    const until = Date.now() + closeWaitMs;
    while (!closeCalls && !pageClosed && Date.now() < until) {
      await new Promise((r) => { setTimeout(r, 50); });
    }
    finish({
      closeAttempted: closeCalls > 0 || pageClosed, url, status: callbackStatus, text,
    });
  }
} catch (err) {
  finish({ error: String(err?.message || err) });
} finally {
  await browser.close();
  log('browser closed');
}
