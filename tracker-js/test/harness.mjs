// A fake browser for unit tests of the built tracker: just enough window, document,
// navigator, location, history and storage to run collector/static/tracker.js in a vm
// context and record every request it makes. No DOM, no network.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
export const BUILT = join(here, '..', '..', 'collector', 'static', 'tracker.js');
export const CODE = readFileSync(BUILT, 'utf8');
export const OPTOUT_KEY = 'collector_optout';

/** A fake link element for click tests. */
export function link(href, { className = '', download = false } = {}) {
  const url = new URL(href);
  const a = {
    href: url.href, hostname: url.hostname, pathname: url.pathname, protocol: url.protocol, className,
    hasAttribute: (name) => name === 'download' && download,
  };
  a.closest = () => a;
  return a;
}

/**
 * Load the tracker into a fresh fake page.
 *   href, referrer, title: the page; dataset/src: the <script> element (script: null for none);
 *   paq: commands pushed before load; nav: navigator overrides; storage: a Map shared across
 *   loads (a reload); beacon: false makes sendBeacon refuse; fetchFails: fetch rejects.
 */
export function load(opts = {}) {
  const sent = [];
  const touched = []; // forbidden APIs the tracker reached for
  const listeners = new Map();
  const timers = [];
  const storage = opts.storage || new Map();
  const storageKeys = [];
  let clock = 1_000_000;

  const target = (name) => ({
    addEventListener(type, fn) {
      const key = name + ':' + type;
      if (!listeners.has(key)) listeners.set(key, new Set());
      listeners.get(key).add(fn);
    },
  });
  const location = new URL(opts.href || 'https://site.example/shop/page?ref=x&utm_source=news#top');
  const document = {
    ...target('document'),
    currentScript: opts.script === null ? null : {
      dataset: opts.dataset || {},
      src: opts.src ?? 'https://stats.example/matomo.js',
    },
    referrer: opts.referrer ?? 'https://search.example/?q=shoes',
    title: opts.title ?? 'Shop page',
    hidden: false,
    prerendering: !!opts.prerendering,
  };
  Object.defineProperty(document, 'cookie', {
    get() { touched.push('document.cookie get'); return ''; },
    set() { touched.push('document.cookie set'); },
  });
  const navigator = {
    sendBeacon(url) {
      if (opts.beacon === false) return false;
      sent.push({ via: 'beacon', url });
      return true;
    },
    ...opts.nav,
  };
  const history = {
    pushState(state, title, url) { location.href = new URL(url, location).href; },
    replaceState(state, title, url) { location.href = new URL(url, location).href; },
  };
  const localStorage = {
    getItem(key) { storageKeys.push(key); return storage.has(key) ? storage.get(key) : null; },
    setItem(key, value) { storageKeys.push(key); storage.set(key, String(value)); },
    removeItem(key) { storageKeys.push(key); storage.delete(key); },
  };
  const context = {
    ...target('window'),
    document, navigator, location, history, localStorage,
    screen: { width: 1440, height: 900 },
    URL, URLSearchParams, Proxy,
    Date: { now: () => clock },
    setTimeout: (fn) => timers.push(fn),
    fetch(url, init) {
      sent.push({ via: 'fetch', url, method: init.method, keepalive: init.keepalive });
      return opts.fetchFails ? Promise.reject(new TypeError('blocked')) : Promise.resolve({});
    },
    Image: class {
      set src(url) { sent.push({ via: 'image', url }); }
    },
  };
  Object.defineProperty(context, 'sessionStorage', {
    get() { touched.push('sessionStorage'); return {}; },
  });
  if (opts.paq) context._paq = opts.paq;
  context.window = context;
  vm.createContext(context);

  const page = {
    window: context, document, navigator, location, history, sent, touched, storage, storageKeys,
    run() { vm.runInContext(CODE, context, { filename: 'tracker.js' }); return page; },
    /** The parameters of each request sent so far (all transports). */
    requests() { return sent.map((s) => Object.fromEntries(new URL(s.url).searchParams)); },
    push(...commands) { return context._paq.push(...commands); },
    fire(on, type, event = {}) {
      for (const fn of listeners.get(on + ':' + type) || []) fn({ type, ...event });
    },
    click(element, button = 0, type = button ? 'auxclick' : 'click') {
      page.fire('document', type, { button, target: element });
    },
    tick() { timers.splice(0).forEach((fn) => fn()); },
    advance(ms) { clock += ms; },
    async settle() { for (let i = 0; i < 5; i++) await Promise.resolve(); },
  };
  return page.run();
}
