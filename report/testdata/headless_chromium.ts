/**
 * Test tooling, not API: a minimal Chrome DevTools Protocol client for `html_report_test.ts`. It
 * launches Debian's `chromium` headless on a fresh profile, opens a page, evaluates expressions,
 * takes screenshots and records console errors, page errors and every request. Driven over one WebSocket on 127.0.0.1, so it
 * needs only `--allow-run` and `--allow-net=127.0.0.1` (browser automation libraries probe paths
 * that Deno grants only under `--allow-all`).
 *
 * @module
 */

/** Flags Chromium needs headless, as root, in a container, without reaching the network. */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

type EventListener = (params: Record<string, unknown>, sessionId?: string) => void;

/**
 * A headless Chromium process and its DevTools connection; `await using` closes both and removes
 * the profile.
 */
export class HeadlessChromium implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #socket: WebSocket;
  readonly #profile: string;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, EventListener[]>();
  #nextId = 1;

  private constructor(child: Deno.ChildProcess, socket: WebSocket, profile: string) {
    this.#child = child;
    this.#socket = socket;
    this.#profile = profile;
    socket.onmessage = (event) => this.#receive(JSON.parse(event.data));
  }

  /** Starts `executable` and connects to it; fails within `timeoutMs` if it never listens. */
  static async launch(executable = "/usr/bin/chromium", timeoutMs = 30_000) {
    const profile = await Deno.makeTempDir({ prefix: "wavert-chromium-" });
    const child = new Deno.Command(executable, {
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const url = await devToolsUrl(child.stderr, timeoutMs);
      const socket = new WebSocket(url);
      await new Promise((resolve, reject) => {
        socket.onopen = resolve;
        socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
      });
      return new HeadlessChromium(child, socket, profile);
    } catch (error) {
      child.kill("SIGKILL");
      await child.status;
      await Deno.remove(profile, { recursive: true });
      throw error;
    }
  }

  /** Sends a DevTools command, to the browser or to one page's session. */
  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.#socket.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  /** Calls `listener` for every event named `method`. */
  on(method: string, listener: EventListener): void {
    this.#listeners.set(method, [...(this.#listeners.get(method) ?? []), listener]);
  }

  /** A new tab of the given viewport size. */
  async newPage(width: number, height: number): Promise<ChromiumPage> {
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank" });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new ChromiumPage(this, sessionId as string);
    await page.open(width, height);
    return page;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.close();
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // Already exited: nothing to stop.
    }
    await this.#child.status;
    // Chromium's helper processes can outlive the browser by a moment and still write into the
    // profile ("Directory not empty" under a loaded --parallel run): retry for a second.
    for (let attempt = 1;; attempt++) {
      try {
        await Deno.remove(this.#profile, { recursive: true });
        return;
      } catch (error) {
        if (attempt >= 10 || error instanceof Deno.errors.NotFound) {
          if (error instanceof Deno.errors.NotFound) return;
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #receive(message: {
    id?: number;
    result?: Record<string, unknown>;
    error?: { message: string };
    method?: string;
    params?: Record<string, unknown>;
    sessionId?: string;
  }): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.#listeners.get(message.method ?? "") ?? []) {
      listener(message.params ?? {}, message.sessionId);
    }
  }
}

/**
 * One tab: records console errors, uncaught exceptions and requested URLs from the moment it opens.
 */
export class ChromiumPage {
  readonly #browser: HeadlessChromium;
  readonly #sessionId: string;
  /** Console errors, uncaught exceptions and error log entries, as text. */
  readonly errors: string[] = [];
  /** Every URL the page requested. */
  readonly requests: string[] = [];
  #loaded: (() => void) | null = null;

  constructor(browser: HeadlessChromium, sessionId: string) {
    this.#browser = browser;
    this.#sessionId = sessionId;
    const mine = (handler: EventListener): EventListener => (params, session) => {
      if (session === sessionId) handler(params);
    };
    browser.on(
      "Runtime.consoleAPICalled",
      mine((p) => {
        if (p.type === "error") this.errors.push(`console.error: ${JSON.stringify(p.args)}`);
      }),
    );
    browser.on(
      "Runtime.exceptionThrown",
      mine((p) => this.errors.push(`exception: ${JSON.stringify(p.exceptionDetails)}`)),
    );
    browser.on(
      "Log.entryAdded",
      mine((p) => {
        const entry = p.entry as { level: string; text: string };
        if (entry.level === "error") this.errors.push(`log: ${entry.text}`);
      }),
    );
    browser.on(
      "Network.requestWillBeSent",
      mine((p) => this.requests.push((p.request as { url: string }).url)),
    );
    browser.on("Page.loadEventFired", mine(() => this.#loaded?.()));
  }

  /** Enables the domains the recorders listen to and sets the viewport. */
  async open(width: number, height: number): Promise<void> {
    for (const domain of ["Page", "Runtime", "Log", "Network"]) {
      await this.#send(`${domain}.enable`);
    }
    await this.#send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
  }

  /** Loads `url` and resolves once its load event fired. */
  async navigate(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => this.#loaded = resolve);
    const { errorText } = await this.#send("Page.navigate", { url });
    if (errorText) throw new Error(`cannot load ${url}: ${errorText}`);
    await loaded;
  }

  /** Evaluates a JavaScript expression in the page and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.#send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(`evaluate failed: ${JSON.stringify(exceptionDetails)}`);
    return (result as { value: T }).value;
  }

  /**
   * A PNG of the viewport, or of `clip` (page coordinates in CSS pixels, beyond the viewport too),
   * e.g. an element's box from `getBoundingClientRect()` plus the scroll offset.
   */
  async screenshot(
    clip?: { x: number; y: number; width: number; height: number },
  ): Promise<Uint8Array> {
    const { data } = await this.#send("Page.captureScreenshot", {
      format: "png",
      captureBeyondViewport: true,
      ...(clip ? { clip: { ...clip, scale: 1 } } : {}),
    });
    return Uint8Array.from(atob(data as string), (c) => c.charCodeAt(0));
  }

  #send(method: string, params: Record<string, unknown> = {}) {
    return this.#browser.send(method, params, this.#sessionId);
  }
}

/** Reads Chromium's stderr until it prints its DevTools address, then keeps draining it. */
async function devToolsUrl(stderr: ReadableStream<Uint8Array>, timeoutMs: number) {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const timer = setTimeout(() => lines.cancel("timeout"), timeoutMs);
  try {
    while (true) {
      const { value, done } = await lines.read();
      if (done) break;
      seen += value;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        // Unread stderr would fill the pipe and stall the browser: drain it in the background.
        (async () => {
          while (!(await lines.read()).done) { /* discard */ }
        })().catch(() => {});
        return match[1];
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`chromium exited or timed out before listening:\n${seen.slice(-2000)}`);
}
