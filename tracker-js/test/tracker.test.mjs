// Unit tests of the built tracker (collector/static/tracker.js) in a fake page: the command
// queue, the requests it builds, the privacy rules, consent, opt-out, transport, the
// one-line tag, SPA navigation, heartbeats and link tracking. Run: npm test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { link, load, OPTOUT_KEY } from './harness.mjs';

const SNIPPET = () => [
  ['trackPageView'],
  ['enableLinkTracking'],
  ['setTrackerUrl', 'https://stats.example/matomo.php'],
  ['setSiteId', '3'],
];

test('the standard snippet: setTrackerUrl and setSiteId pushed after trackPageView still apply', () => {
  const page = load({ paq: SNIPPET() });
  assert.equal(page.sent.length, 1);
  assert.equal(page.sent[0].via, 'beacon');
  const url = new URL(page.sent[0].url);
  assert.equal(url.origin + url.pathname, 'https://stats.example/matomo.php');
  const p = page.requests()[0];
  assert.equal(p.idsite, '3');
  assert.equal(p.rec, '1');
  assert.equal(p.send_image, '0');
  assert.equal(p.url, 'https://site.example/shop/page?ref=x&utm_source=news');
  assert.equal(p.action_name, 'Shop page');
  assert.equal(p.urlref, 'https://search.example/?q=shoes');
  assert.equal(p.res, '1440x900');
  assert.match(p.pv_id, /^[0-9a-z]{6}$/);
});

test('a page view carries no visitor id, cookie flag or random id', () => {
  const p = load({ paq: SNIPPET() }).requests()[0];
  for (const name of ['_id', '_idn', 'cid', 'uid', 'cookie', '_idts', '_pk_id', 'r']) assert.ok(!(name in p), name);
  assert.deepEqual(Object.keys(p).sort(),
    ['action_name', 'idsite', 'pv_id', 'rec', 'res', 'send_image', 'url', 'urlref']);
});

test('each page view gets a new pv_id; events share the current one', () => {
  const page = load({ paq: SNIPPET() });
  page.push(['trackEvent', 'Video', 'Play']);
  page.push(['trackPageView']);
  const [first, event, second] = page.requests();
  assert.equal(event.pv_id, first.pv_id);
  assert.notEqual(second.pv_id, first.pv_id);
});

test('commands pushed after load run at once; functions run with the tracker as this', () => {
  const page = load({ paq: SNIPPET() });
  let self;
  page.push([function () { self = this; }]);
  page.push(function () { self = 'a bare function is not a command'; }); // nor in matomo.js
  assert.equal(self, page.window.Matomo.getTracker());
  page.push(['trackEvent', 'Cat', 'Act'], ['trackEvent', 'Cat', 'Act2']);
  assert.equal(page.sent.length, 3);
  let got;
  page.push([function (a, b) { got = [this.isUserOptedOut(), a, b]; }, 1, 2]); // Matomo's own form
  assert.deepEqual(got, [false, 1, 2]);
});

test('function commands pushed before load run in order with the others', () => {
  const order = [];
  load({ paq: [['setSiteId', 1], [function () { order.push(typeof this.trackPageView); }], ['setUserId', 'u']] })
    .push([function () { order.push('after'); }]);
  assert.deepEqual(order, ['function', 'after']);
});

test('unknown commands and garbage are ignored without an error', () => {
  const page = load({
    paq: [['noSuchCommand', 1], ['enableJSErrorTracking'], [], [undefined], null, 42, 'noSuchName',
      ['__proto__'], ['constructor'], ['toString'], ...SNIPPET()],
  });
  assert.doesNotThrow(() => page.push(['nope'], null, [null], ['then'], [{}], ['setSiteId']));
  assert.equal(page.sent.length, 1);
});

test('Matomo.getTracker() and getAsyncTracker() return the tracker; unknown methods are no-ops', () => {
  const page = load({ paq: [['setSiteId', '5']] });
  const { Matomo, Piwik } = page.window;
  const tracker = Matomo.getTracker();
  assert.equal(Matomo.getAsyncTracker(), tracker);
  assert.equal(Piwik.getAsyncTracker(), tracker);
  for (const name of ['disableCookies', 'setDoNotTrack', 'requireCookieConsent', 'setCookieConsentGiven',
    'rememberCookieConsentGiven', 'forgetCookieConsentGiven', 'enableJSErrorTracking', 'setCookieDomain']) {
    assert.equal(typeof tracker[name], 'function', name);
    assert.doesNotThrow(() => tracker[name](true));
  }
  assert.equal(tracker.then, false); // not a thenable: `await tracker` gives the tracker
  tracker.trackEvent('Cat', 'Act', 'Name', 4.5);
  assert.deepEqual(
    (({ e_c, e_a, e_n, e_v, idsite }) => ({ e_c, e_a, e_n, e_v, idsite }))(page.requests()[0]),
    { e_c: 'Cat', e_a: 'Act', e_n: 'Name', e_v: '4.5', idsite: '5' });
});

test('events, site searches, goals and links', () => {
  const page = load({ paq: SNIPPET() });
  page.push(['trackEvent', 'Video', 'Play'], ['trackSiteSearch', 'red shoes', 'Shop', 12],
    ['trackGoal', 2, 9.5], ['trackLink', 'https://other.example/x', 'link'],
    ['trackLink', 'https://site.example/f.pdf', 'download']);
  const [, event, search, goal, outlink, download] = page.requests();
  assert.equal(page.sent.length, 6);
  assert.equal(event.e_c, 'Video');
  assert.ok(!('e_n' in event) && !('e_v' in event) && !('action_name' in event));
  assert.deepEqual([search.search, search.search_cat, search.search_count], ['red shoes', 'Shop', '12']);
  assert.deepEqual([goal.idgoal, goal.revenue], ['2', '9.5']);
  assert.equal(outlink.link, 'https://other.example/x');
  assert.equal(download.download, 'https://site.example/f.pdf');
  assert.equal(download.url, 'https://site.example/shop/page?ref=x&utm_source=news');
});

test('custom URL, title, referrer, dimensions and excluded query parameters', () => {
  const page = load({
    paq: [['setCustomUrl', '/virtual?a=1&secret=2'], ['setDocumentTitle', 'Virtual'], ['setReferrerUrl', 'https://r.example/'],
      ['setCustomDimension', 1, 'gold'], ['setExcludedQueryParams', ['secret']], ...SNIPPET()],
  });
  const p = page.requests()[0];
  assert.equal(p.url, 'https://site.example/virtual?a=1');
  assert.equal(p.action_name, 'Virtual');
  assert.equal(p.urlref, 'https://r.example/');
  assert.equal(p.dimension1, 'gold');
  page.push(['trackPageView', 'Explicit title']);
  assert.equal(page.requests()[1].action_name, 'Explicit title');
});

test('setUserId sends uid on every request; resetUserId stops it', () => {
  const page = load({ paq: [['setUserId', 'alice@example.com'], ...SNIPPET()] });
  page.push(['trackEvent', 'a', 'b'], ['resetUserId'], ['trackEvent', 'a', 'c']);
  const [pv, event, after] = page.requests();
  assert.equal(pv.uid, 'alice@example.com');
  assert.equal(event.uid, 'alice@example.com');
  assert.ok(!('uid' in after));
});

for (const [label, nav] of [
  ['navigator.doNotTrack "1"', { doNotTrack: '1' }],
  ['navigator.doNotTrack "yes"', { doNotTrack: 'yes' }],
  ['navigator.globalPrivacyControl', { globalPrivacyControl: true }],
  ['navigator.webdriver', { webdriver: true }],
]) {
  test(`nothing is sent under ${label}, whatever setDoNotTrack says`, () => {
    const page = load({ nav, paq: [['setDoNotTrack', false], ...SNIPPET()] });
    page.push(['trackEvent', 'a', 'b'], ['trackPageView']);
    assert.equal(page.sent.length, 0);
  });
}

test('doNotTrack "0" or unspecified tracks', () => {
  assert.equal(load({ nav: { doNotTrack: '0' }, paq: SNIPPET() }).sent.length, 1);
  assert.equal(load({ nav: { doNotTrack: 'unspecified' }, paq: SNIPPET() }).sent.length, 1);
});

test('the tag may allow webdriver (for the site owner\'s own browser tests)', () => {
  const page = load({ nav: { webdriver: true }, dataset: { site: '1', allowWebdriver: '' } });
  assert.equal(page.sent.length, 1);
});

for (const href of ['http://localhost:8000/', 'http://localhost/x', 'http://127.0.0.1:5000/', 'http://[::1]:3000/',
  'file:///home/me/page.html']) {
  test(`nothing is sent from ${href}`, () => {
    assert.equal(load({ href, paq: SNIPPET() }).sent.length, 0);
  });
}

test('localhost.example and 10.0.0.1 are not localhost', () => {
  assert.equal(load({ href: 'https://localhost.example/', paq: SNIPPET() }).sent.length, 1);
});

test('requireConsent holds requests in memory until setConsentGiven', () => {
  const page = load({ paq: [...SNIPPET(), ['requireConsent']] });
  page.push(['trackEvent', 'a', 'b']);
  assert.equal(page.sent.length, 0);
  page.push(['setConsentGiven']);
  assert.equal(page.sent.length, 2);
  assert.equal(page.requests()[1].e_a, 'b');
  page.push(['trackEvent', 'a', 'c']);
  assert.equal(page.sent.length, 3);
});

test('rememberConsentGiven gives consent for this page (nothing is persisted)', () => {
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['rememberConsentGiven']);
  assert.equal(page.sent.length, 1);
  assert.equal(page.storage.size, 0);
});

test('forgetConsentGiven drops what waits and stops tracking', () => {
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['forgetConsentGiven'], ['setConsentGiven']);
  assert.equal(page.sent.length, 0);
  page.push(['trackEvent', 'a', 'b'], ['forgetConsentGiven'], ['trackEvent', 'a', 'c']);
  assert.equal(page.sent.length, 1);
});

test('a page that never gets consent sends nothing', () => {
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['trackEvent', 'a', 'b']);
  page.fire('window', 'pagehide');
  assert.equal(page.sent.length, 0);
});

test('optUserOut writes one localStorage key; nothing is sent, on this page or after a reload', () => {
  const page = load({ paq: SNIPPET() });
  assert.equal(page.storage.size, 0);
  page.push(['optUserOut']);
  assert.deepEqual([...page.storage.keys()], [OPTOUT_KEY]);
  page.push(['trackEvent', 'a', 'b']);
  assert.equal(page.sent.length, 1);
  assert.equal(page.window.Matomo.getTracker().isUserOptedOut(), true);

  const reload = load({ storage: page.storage, paq: SNIPPET() });
  assert.equal(reload.sent.length, 0);
  assert.equal(reload.window.Matomo.getTracker().isUserOptedOut(), true);
  reload.push(['forgetUserOptOut']);
  assert.equal(reload.storage.size, 0);
  assert.equal(reload.window.Matomo.getTracker().isUserOptedOut(), false);
  reload.push(['trackPageView']);
  assert.equal(reload.sent.length, 1);
});

test('opting out drops requests that were waiting for consent', () => {
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['optUserOut'], ['setConsentGiven']);
  assert.equal(page.sent.length, 0);
});

test('only the opt-out key is ever read or written; no cookie, no sessionStorage', () => {
  const page = load({ paq: [['requireConsent'], ['setUserId', 'u'], ['enableHeartBeatTimer', 1], ...SNIPPET()] });
  page.push(['setConsentGiven'], ['trackEvent', 'a', 'b'], ['optUserOut'], ['forgetUserOptOut'],
    ['isUserOptedOut'], ['disableCookies'], ['rememberCookieConsentGiven']);
  page.click(link('https://other.example/'));
  page.advance(2000);
  page.fire('window', 'pagehide');
  assert.deepEqual(page.touched, []);
  assert.deepEqual([...new Set(page.storageKeys)], [OPTOUT_KEY]);
  assert.equal(page.storage.size, 0);
});

test('a prerendered page sends when it is shown', () => {
  const page = load({ prerendering: true, paq: SNIPPET() });
  assert.equal(page.sent.length, 0);
  page.document.prerendering = false;
  page.fire('document', 'prerenderingchange');
  assert.equal(page.sent.length, 1);
});

test('transport: sendBeacon, then fetch with keepalive, then an image', async () => {
  const refused = load({ beacon: false, paq: SNIPPET() });
  assert.deepEqual(refused.sent.map((s) => [s.via, s.method, s.keepalive]), [['fetch', 'GET', 1]]);

  const post = load({ paq: [['disableAlwaysUseSendBeacon'], ['setRequestMethod', 'POST'], ...SNIPPET()] });
  assert.deepEqual(post.sent.map((s) => [s.via, s.method]), [['fetch', 'POST']]);
  post.push(['alwaysUseSendBeacon'], ['trackPageView']);
  assert.equal(post.sent[1].via, 'beacon');

  const get = load({ paq: [['setRequestMethod', 'GET'], ...SNIPPET()] }); // as matomo.js: GET, no beacon
  assert.deepEqual(get.sent.map((s) => [s.via, s.method]), [['fetch', 'GET']]);

  const blocked = load({ beacon: false, fetchFails: true, paq: SNIPPET() });
  await blocked.settle();
  assert.deepEqual(blocked.sent.map((s) => s.via), ['fetch', 'image']);
  assert.equal(blocked.sent[1].url, blocked.sent[0].url);
});

test('addTracker sends every request to each tracker', () => {
  const page = load({ paq: [...SNIPPET(), ['addTracker', 'https://other-stats.example/matomo.php', 9]] });
  page.push(['trackEvent', 'a', 'b']);
  assert.deepEqual(page.sent.map((s) => new URL(s.url).host + ' ' + new URL(s.url).searchParams.get('idsite')),
    ['stats.example 3', 'other-stats.example 9', 'stats.example 3', 'other-stats.example 9']);
});

test('a tracker without a site id sends nothing', () => {
  assert.equal(load({ paq: [['trackPageView']] }).sent.length, 0);
});

test('loading twice does not track twice', () => {
  const page = load({ paq: SNIPPET() });
  page.run();
  assert.equal(page.sent.length, 1);
});

// -- the one-line tag ---------------------------------------------------------------------
const TAG = { src: 'https://stats.example/js/collector.js', dataset: { site: '7' } };

test('the tag tracks a page view to /matomo.php beside /js/collector.js', () => {
  const page = load(TAG);
  assert.equal(page.sent.length, 1);
  const url = new URL(page.sent[0].url);
  assert.equal(url.origin + url.pathname, 'https://stats.example/matomo.php');
  assert.equal(url.searchParams.get('idsite'), '7');
});

test('data-api names the endpoint; _paq commands still work with the tag', () => {
  const page = load({ ...TAG, dataset: { site: '7', api: 'https://proxy.example/a/b' },
    paq: [['setUserId', 'bob'], ['setCustomDimension', 2, 'x']] });
  const url = new URL(page.sent[0].url);
  assert.equal(url.origin + url.pathname, 'https://proxy.example/a/b');
  assert.equal(url.searchParams.get('uid'), 'bob');
  assert.equal(url.searchParams.get('dimension2'), 'x');
});

test('SPA: pushState, replaceState and popstate track page views with the previous URL as referrer', () => {
  const page = load(TAG);
  page.history.pushState({}, '', '/shop/cart');
  page.tick();
  page.history.replaceState({}, '', '/shop/cart'); // same URL: no page view
  page.tick();
  page.history.replaceState({}, '', '/shop/cart#step-2'); // fragment only: no page view
  page.tick();
  page.location.href = 'https://site.example/shop/checkout';
  page.fire('window', 'popstate');
  const urls = page.requests().map((p) => [p.url, p.urlref]);
  assert.deepEqual(urls, [
    ['https://site.example/shop/page?ref=x&utm_source=news', 'https://search.example/?q=shoes'],
    ['https://site.example/shop/cart', 'https://site.example/shop/page?ref=x&utm_source=news'],
    ['https://site.example/shop/checkout', 'https://site.example/shop/cart'],
  ]);
});

test('data-spa="false" tracks only the first page view', () => {
  const page = load({ ...TAG, dataset: { site: '7', spa: 'false' } });
  page.history.pushState({}, '', '/other');
  page.tick();
  assert.equal(page.sent.length, 1);
});

test('data-hash: hash routes are pages, sent as paths', () => {
  const page = load({ ...TAG, href: 'https://site.example/app/#/home', dataset: { site: '7', hash: '' } });
  page.location.href = 'https://site.example/app/#/about?tab=2';
  page.fire('window', 'hashchange');
  assert.deepEqual(page.requests().map((p) => [p.url, p.urlref]), [
    ['https://site.example/app/home', 'https://search.example/?q=shoes'],
    ['https://site.example/app/about?tab=2', 'https://site.example/app/home'],
  ]);
});

test('data-hash: the page query stays unless the route has its own', () => {
  const dataset = { site: '7', hash: '' };
  const page = load({ ...TAG, href: 'https://site.example/app/?utm_source=news#/about', dataset });
  page.location.href = 'https://site.example/app/?utm_source=news#/search?q=shoes';
  page.fire('window', 'hashchange');
  page.location.href = 'https://site.example/app/?utm_source=news#top'; // not a route
  page.fire('window', 'hashchange');
  assert.deepEqual(page.requests().map((p) => p.url), [
    'https://site.example/app/about?utm_source=news',
    'https://site.example/app/search?q=shoes',
    'https://site.example/app/?utm_source=news',
  ]);
});

test('without data-hash a fragment change is not a page view', () => {
  const page = load(TAG);
  page.location.href = 'https://site.example/shop/page?ref=x&utm_source=news#reviews';
  page.fire('window', 'hashchange');
  assert.equal(page.sent.length, 1);
});

test('data-exclude: matching paths send nothing', () => {
  const dataset = { site: '7', exclude: '/admin*, /preview' };
  assert.equal(load({ ...TAG, dataset, href: 'https://site.example/admin/users' }).sent.length, 0);
  assert.equal(load({ ...TAG, dataset, href: 'https://site.example/preview' }).sent.length, 0);
  assert.equal(load({ ...TAG, dataset, href: 'https://site.example/preview/2' }).sent.length, 1);
  assert.equal(load({ ...TAG, dataset: { site: '7', exclude: '/a.b(c' }, href: 'https://site.example/a.b(c' }).sent.length, 0);
});

// -- heartbeats ---------------------------------------------------------------------------
test('heartbeat: a ping when the page is hidden after being visible for the interval', () => {
  const page = load({ paq: [['enableHeartBeatTimer', 10], ...SNIPPET()] });
  page.advance(4000);
  page.document.hidden = true;
  page.fire('document', 'visibilitychange'); // 4 s visible: not yet
  assert.equal(page.sent.length, 1);
  page.document.hidden = false;
  page.fire('document', 'visibilitychange');
  page.advance(7000);
  page.fire('window', 'pagehide'); // 11 s visible in all
  const ping = page.requests()[1];
  assert.equal(ping.ping, '1');
  assert.equal(ping.pv_id, page.requests()[0].pv_id);
  page.document.hidden = true;
  page.fire('document', 'visibilitychange'); // nothing new since the ping
  assert.equal(page.sent.length, 2);
});

test('no heartbeat unless enabled (snippet) and on by default for the tag (15 s)', () => {
  const snippet = load({ paq: SNIPPET() });
  snippet.advance(60_000);
  snippet.fire('window', 'pagehide');
  assert.equal(snippet.sent.length, 1);
  const tag = load(TAG);
  tag.advance(16_000);
  tag.fire('window', 'pagehide');
  assert.equal(tag.requests()[1].ping, '1');
});

// -- link tracking ------------------------------------------------------------------------
test('outlinks and downloads: clicks, middle clicks and keyboard activation', () => {
  const page = load({ paq: SNIPPET() });
  page.click(link('https://other.example/path?q=1'));
  page.click(link('https://site.example/files/report.PDF'));
  page.click(link('https://site.example/get', { download: true }));
  page.click(link('https://cdn.example/x', { className: 'btn matomo_download' }));
  page.click(link('https://other.example/mid'), 1); // middle click (auxclick)
  page.click(link('https://other.example/right'), 2); // right click: no
  page.click(link('https://site.example/internal')); // same host: no
  page.click(link('https://www.site.example/internal')); // www. of the same host: no
  page.click(link('https://other.example/skip', { className: 'matomo_ignore' }));
  page.click(link('https://site.example/forced', { className: 'matomo_link' }));
  page.click(link('mailto:someone@example.com'));
  page.click({ closest: () => null }); // not a link
  const got = page.requests().slice(1).map((p) => p.link ? 'link ' + p.link : 'download ' + p.download);
  assert.deepEqual(got, [
    'link https://other.example/path?q=1',
    'download https://site.example/files/report.PDF',
    'download https://site.example/get',
    'download https://cdn.example/x',
    'link https://other.example/mid',
    'link https://site.example/forced',
  ]);
});

test('no link tracking before enableLinkTracking; enabling twice counts once', () => {
  const page = load({ paq: [['setSiteId', 1], ['trackPageView']] });
  page.click(link('https://other.example/'));
  assert.equal(page.sent.length, 1);
  page.push(['enableLinkTracking'], ['enableLinkTracking']);
  page.click(link('https://other.example/'));
  assert.equal(page.sent.length, 2);
});

test('setDomains: listed hosts and their subdomains are internal', () => {
  const page = load({ paq: [['setDomains', ['*.shop.example', 'blog.example/path']], ...SNIPPET()] });
  page.click(link('https://eu.shop.example/a'));
  page.click(link('https://shop.example/a'));
  page.click(link('https://blog.example/a'));
  page.click(link('https://sub.site.example/a')); // the page's own host stays internal
  page.click(link('https://notshop.example/a'));
  assert.deepEqual(page.requests().slice(1).map((p) => p.link), ['https://notshop.example/a']);
});

test('the tag tracks outlinks and downloads by itself', () => {
  const page = load(TAG);
  page.click(link('https://other.example/'));
  page.click(link('https://site.example/a.zip'));
  assert.deepEqual(page.requests().slice(1).map((p) => p.link || p.download),
    ['https://other.example/', 'https://site.example/a.zip']);
});

test('after requireConsent and setConsentGiven every request carries consent=1', () => {
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['trackEvent', 'a', 'b'], ['setConsentGiven'], ['trackEvent', 'a', 'c'], ['trackPageView']);
  const sent = page.requests();
  assert.equal(sent.length, 4);
  assert.deepEqual(sent.map((p) => p.consent), ['1', '1', '1', '1']);
});

test('no consent parameter unless consent was given', () => {
  assert.ok(!('consent' in load({ paq: SNIPPET() }).requests()[0]));
  const page = load({ paq: [['requireConsent'], ...SNIPPET()] });
  page.push(['setConsentGiven'], ['forgetConsentGiven'], ['rememberConsentGiven'], ['trackEvent', 'a', 'b']);
  assert.deepEqual(page.requests().map((p) => p.consent), ['1', '1']);
});

for (const href of ['http://localhost:8000/demo/', 'http://127.0.0.1:8000/demo/']) {
  test(`data-allow-localhost lets ${href} send (a local demo)`, () => {
    assert.equal(load({ href, dataset: { allowLocalhost: '' }, paq: SNIPPET() }).sent.length, 1);
    assert.equal(load({ href, dataset: { site: '1', allowLocalhost: '' } }).sent.length, 1);
  });
}
