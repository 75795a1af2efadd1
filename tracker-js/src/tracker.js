/*
 * The collector's browser tracker: a cookie-less tracker that speaks Matomo's `_paq` API.
 *
 * Two ways in (README.md has the payload contract):
 *  - the standard Matomo snippet: commands pushed onto `window._paq` before and after load;
 *  - the one-line tag `<script defer src=".../js/collector.js" data-site="1">`: a page view,
 *    SPA navigations, outlinks, downloads and heartbeats with no further code.
 *
 * Privacy: never touches `document.cookie` or `sessionStorage`; `localStorage` holds one key,
 * written only on opt-out. Nothing is sent under Do Not Track or Global Privacy Control, when
 * opted out, on localhost or file: (unless the script allows it: data-allow-localhost), under
 * webdriver (unless the script allows it), and nothing leaves before consent (when required) or
 * while the page is prerendered. Once consent was given, every request carries `consent=1`.
 *
 * Budget: 2,048 bytes minified + gzipped (build.mjs fails above it). Written for the
 * minifier: locals over properties, few helpers, no classes.
 */
((w, d, n, l, H) => {
  if (w.Matomo) return; // loaded twice, or next to matomo.js

  const script = d.currentScript;
  const ds = script?.dataset || {};
  const tag = ds.site;
  const hashMode = ds.hash != null;
  const extra = []; // [endpoint, site id] of each addTracker
  const held = []; // requests waiting for consent, or for a prerendered page to be shown
  const dims = {};
  const now = () => Date.now();
  const on = (target, type, fn) => target.addEventListener(type, fn, true);
  const storage = (op, value) => {
    try {
      return localStorage[op]('collector_optout', value);
    } catch (e) {}
  };

  // The `_paq` tracker's endpoint (no query string) and site: /js/collector.js and /matomo.js
  // sit beside /matomo.php.
  let endpoint = ds.api || script?.src.replace(/(js\/)?[^/]*$/, 'matomo.php');
  let site = tag;
  let domains = [];
  let excludedParams = [];
  let uid, customUrl, title, pvId, current, needConsent, consent, optedOut;
  let booting = 1; // requests wait until the commands pushed before load have all run
  let referrer = d.referrer;
  let beacon = 1;
  let method = 'GET';
  let heartbeatMs = tag && 15e3;
  let shownAt, visibleMs; // set by each page view

  // data-exclude="/admin*,/preview": paths never tracked; a pattern ending in * is a prefix,
  // others match exactly (a space ends both: a path never holds one).
  const excluded = (path) => ds.exclude?.split(',').some((p) =>
    (path + ' ').startsWith((p.trim() + ' ').replace('* ', '')));
  const isOptedOut = () => !!(optedOut || storage('getItem'));

  // The page's URL without its fragment. Hash routes are pages, resolved like a relative
  // link: /app/?a=1#/about?b=2 is sent as /app/about?b=2, /app/?a=1#/about as
  // /app/about?a=1 (the collector never stores fragments).
  const pageUrl = () => {
    try {
      let url = new URL(customUrl || l.href, l);
      const { hash, search } = url;
      if (hashMode && hash[1] == '/') {
        (url = new URL('.' + hash.slice(1), url)).search ||= search;
      }
      url.hash = '';
      excludedParams.forEach((k) => url.searchParams.delete(k));
      return url.href;
    } catch (e) {
      return customUrl;
    }
  };

  // The privacy rules are checked when a request is made and again when it leaves (a held
  // request is dropped if the visitor opted out meanwhile). Endpoint, site and transport
  // are read when it leaves, so the standard snippet may push setTrackerUrl and setSiteId
  // after trackPageView. Transport: sendBeacon (POST, parameters in the query, empty body),
  // else fetch with keepalive (no credentials cross-origin), else an image when fetch fails
  // (a Content-Security-Policy that allows images only, say).
  const release = (params) => {
    if (
      /1|yes/.test(n.doNotTrack) || n.globalPrivacyControl || isOptedOut() ||
      (/^(file:|https?:\/\/(localhost[:/]|127\.|\[::1))/.test(l.href) && ds.allowLocalhost == null) ||
      (n.webdriver && ds.allowWebdriver == null) || excluded(new URL(params.url).pathname)
    ) return;
    if (booting || (needConsent && !consent) || d.prerendering) return held.push(params);
    for (let [url, idsite] of [[endpoint, site], ...extra]) {
      if (url && idsite) {
        url += '?' + new URLSearchParams(
          Object.entries({ idsite, rec: 1, ...params, consent, send_image: 0 }).filter((p) => [p[1]] + ''));
        (beacon && n.sendBeacon?.(url)) || fetch(url, { method, keepalive: 1 }).catch(() => (new Image().src = url));
      }
    }
  };

  const flush = () => held.splice(0).forEach(release);
  const give = () => {
    consent = 1;
    flush();
  };

  const send = (params) => release({ ...dims, ...params, url: pageUrl(), pv_id: pvId, uid });

  // Heartbeat: a ping when the page is hidden or left after being visible for the interval.
  const beat = () => {
    if (shownAt) visibleMs += now() - shownAt;
    shownAt = 0;
    if (heartbeatMs && pvId && visibleMs >= heartbeatMs) {
      visibleMs = 0;
      send({ ping: 1 });
    }
  };

  // Clicks, middle clicks (auxclick) and keyboard activation (a click) on links.
  const click = (e) => {
    const a = e.button < 2 && e.target.closest?.('a,area');
    if (!a) return;
    const host = '.' + a.hostname;
    const cls = /matomo_(ignore|download|link)/.exec(a.className)?.[1];
    const type = cls == 'download' || a.hasAttribute('download') ||
      /\.(7z|apk|csv|dmg|docx?|exe|gz|mov|mp[34]|msi|pdf|pptx?|rar|txt|xlsx?|zip)$/i.test(a.pathname)
      ? 'download'
      : (cls == 'link' || ![l.hostname, ...domains].some((alias) =>
        host.endsWith('.' + alias.replace(/^\*?\.?(www\.)?|\/.*/g, '')))) && 'link';
    if (type && cls != 'ignore' && /^http/.test(a.protocol)) T.trackLink(a.href, type);
  };

  const T = new Proxy({
    setTrackerUrl(url) {
      endpoint = url;
    },
    setSiteId(id) {
      site = id;
    },
    addTracker(url, id) {
      extra.push([url || endpoint, id || site]);
      return T;
    },
    trackPageView(pageTitle) {
      pvId = Math.random().toString(36).slice(-6);
      visibleMs = 0;
      shownAt = !d.hidden && now();
      send({ action_name: pageTitle || title || d.title, urlref: referrer, res: screen.width + 'x' + screen.height });
      current = pageUrl();
    },
    setCustomUrl(url) {
      customUrl = url;
    },
    setDocumentTitle(text) {
      title = text;
    },
    setReferrerUrl(url) {
      referrer = url;
    },
    trackEvent(category, action, name, value) {
      send({ e_c: category, e_a: action, e_n: name, e_v: value });
    },
    trackSiteSearch(keyword, category, count) {
      send({ search: keyword, search_cat: category, search_count: count });
    },
    trackGoal(goal, revenue) {
      send({ idgoal: goal, revenue });
    },
    trackLink(url, type) {
      send({ [type == 'download' ? type : 'link']: url });
    },
    enableLinkTracking() {
      on(d, 'click', click); // adding the same listener again is a no-op
      on(d, 'auxclick', click);
    },
    setDomains(list) {
      domains = [].concat(list);
    },
    setUserId(id) {
      uid = id;
    },
    resetUserId() {
      uid = '';
    },
    setCustomDimension(id, value) {
      dims['dimension' + id] = value;
    },
    enableHeartBeatTimer(seconds) {
      heartbeatMs = 1e3 * (seconds || 15);
    },
    requireConsent() {
      needConsent = 1;
    },
    setConsentGiven: give,
    rememberConsentGiven: give,
    forgetConsentGiven() {
      needConsent = 1;
      consent = held.length = 0;
    },
    optUserOut() {
      optedOut = 1;
      storage('setItem', 1);
    },
    forgetUserOptOut() {
      optedOut = 0;
      storage('removeItem');
    },
    isUserOptedOut: isOptedOut,
    setRequestMethod(name) {
      if (/get/i.test((method = name))) beacon = 0; // as in matomo.js
    },
    alwaysUseSendBeacon() {
      beacon = 1;
    },
    disableAlwaysUseSendBeacon() {
      beacon = 0;
    },
    setExcludedQueryParams(list) {
      excludedParams = [].concat(list);
    },
  }, {
    // Every other Matomo method (disableCookies, setDoNotTrack, requireCookieConsent,
    // setCookieConsentGiven… there are no cookies, and DNT and GPC are always honoured) is a
    // no-op, so no call ever throws. `then` stays undefined: the tracker is not a promise.
    get: (t, k) => t[k] || (k != 'then' && (() => {})),
  });

  // A command is [name, ...args] or [function, ...args] (run with the tracker as `this`).
  // Unknown names are no-ops; nothing a command does escapes as an error.
  const run = (command) => {
    try {
      const [f, ...args] = command;
      (typeof f == 'function' ? f : T[f]).apply(T, args);
    } catch (e) {}
  };

  const getTracker = () => T;
  w.Matomo = w.Piwik = { getTracker, getAsyncTracker: getTracker };

  on(d, 'visibilitychange', () => (d.hidden ? beat() : (shownAt = now())));
  on(w, 'pagehide', beat);
  on(d, 'prerenderingchange', flush);
  if (tag) T.enableLinkTracking();

  const queue = (w._paq = w._paq || []);
  const early = queue.splice(0);
  queue.push = (...commands) => commands.forEach(run);
  early.forEach(run);
  booting = 0;
  flush();

  if (tag) {
    const nav = () => {
      if (pageUrl() != current) {
        referrer = current;
        T.trackPageView();
      }
    };
    if (ds.spa != 'false') {
      ['pushState', 'replaceState'].forEach((name) => {
        const original = H[name];
        H[name] = function () {
          setTimeout(nav);
          return original.apply(this, arguments);
        };
      });
      on(w, 'popstate', nav);
      on(w, 'hashchange', nav); // a page view only for hash routes (pageUrl drops other fragments)
    }
    T.trackPageView();
  }
})(window, document, navigator, location, history);
