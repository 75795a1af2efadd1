/*
 * The collector's account-settings opt-out widget: an accessible switch
 * "Include my visits in usage statistics". Served as /js/optout-widget.js; docs/opt-out.md
 * has the snippet.
 *
 *   <div data-collector-optout data-mode="device|account" data-endpoint="/my/optout"
 *        data-lang="en|nb"></div>
 *   <script src="https://STATS/js/optout-widget.js" defer></script>
 *
 * data-mode="device" (the default): the choice is kept in this browser by the tracker
 *   (`_paq.push(['optUserOut'])` / `['forgetUserOptOut']`: one localStorage key, no cookie).
 * data-mode="account": the choice belongs to the logged-in user; the widget GETs
 *   data-endpoint (the site's own backend) for {"opted_out": bool}, PUTs it to opt out and
 *   DELETEs it to opt back in. The backend calls the collector's opt-out API with its token.
 *
 * Texts: data-lang picks a built-in set (en, nb); data-text-label, data-text-on,
 * data-text-off, data-text-saving, data-text-error override single texts.
 * Styling: classes (collector-optout, __switch, __label, __status; --off, --busy, --error)
 * for the host page, plus a few defaults set through element.style (allowed by a strict
 * Content-Security-Policy, unlike inline style attributes or <style> elements).
 * No cookie, no inline code, no globals but window.CollectorOptout.init(root?).
 */
(function () {
  'use strict';

  var STORAGE_KEY = 'collector_optout'; // the tracker's own key (tracker-js/src/tracker.js)
  var TEXTS = {
    en: {
      label: 'Include my visits in usage statistics',
      on: 'Your visits are included in usage statistics.',
      off: 'Your visits are not included in usage statistics.',
      saving: 'Saving…',
      error: 'Your choice could not be saved. Please try again.',
      loadError: 'Your current choice could not be loaded.'
    },
    nb: {
      label: 'Ta med besøkene mine i bruksstatistikken',
      on: 'Besøkene dine telles med i bruksstatistikken.',
      off: 'Besøkene dine telles ikke med i bruksstatistikken.',
      saving: 'Lagrer …',
      error: 'Valget ditt ble ikke lagret. Prøv igjen.',
      loadError: 'Vi fikk ikke hentet valget ditt.'
    }
  };
  var ALIASES = { no: 'nb', nn: 'nb' };
  var counter = 0;

  function language(root) {
    var wanted = (root.getAttribute('data-lang') || document.documentElement.lang || 'en').toLowerCase();
    var base = wanted.split('-')[0];
    return TEXTS[wanted] ? wanted : TEXTS[base] ? base : ALIASES[base] || 'en';
  }

  function texts(root) {
    var built = TEXTS[language(root)];
    var result = {};
    for (var key in built) {
      var attribute = 'data-text-' + key.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); });
      result[key] = root.getAttribute(attribute) || built[key];
    }
    return result;
  }

  // -- device mode: the tracker on this page (or its localStorage key when it is absent) --
  function tracker() {
    var m = window.Matomo;
    return m && m.getTracker ? m.getTracker() : null;
  }

  function storage(op, value) {
    try {
      return window.localStorage[op](STORAGE_KEY, value);
    } catch (e) {
      return null;
    }
  }

  var device = {
    load: function (done) {
      var t = tracker();
      done(null, t ? !!t.isUserOptedOut() : !!storage('getItem'));
    },
    save: function (optedOut, done) {
      var paq = (window._paq = window._paq || []);
      paq.push([optedOut ? 'optUserOut' : 'forgetUserOptOut']);
      if (!tracker()) storage(optedOut ? 'setItem' : 'removeItem', '1'); // no tracker (yet)
      done(null);
    }
  };

  // -- account mode: the site's own backend -------------------------------------------
  function account(endpoint) {
    function call(method, done) {
      fetch(endpoint, {
        method: method,
        credentials: 'same-origin',
        headers: { Accept: 'application/json' }
      }).then(function (reply) {
        if (!reply.ok) throw new Error('HTTP ' + reply.status);
        return reply.status === 204 ? null : reply.json().catch(function () { return null; });
      }).then(function (body) {
        done(null, body);
      }, function (error) {
        done(error);
      });
    }
    return {
      load: function (done) {
        call('GET', function (error, body) {
          done(error || (body && typeof body.opted_out === 'boolean' ? null : new Error('bad reply')),
            body && body.opted_out);
        });
      },
      save: function (optedOut, done) {
        call(optedOut ? 'PUT' : 'DELETE', done);
      }
    };
  }

  function element(tag, className, parent) {
    var node = document.createElement(tag);
    node.className = className;
    parent.appendChild(node);
    return node;
  }

  function setup(root) {
    if (root.getAttribute('data-collector-optout-ready') !== null) return;
    root.setAttribute('data-collector-optout-ready', '');
    var t = texts(root);
    var mode = root.getAttribute('data-mode') === 'account' ? 'account' : 'device';
    var endpoint = root.getAttribute('data-endpoint');
    var backend = mode === 'account' ? account(endpoint || '') : device;
    var id = 'collector-optout-' + ++counter;

    root.classList.add('collector-optout');
    var label = element('label', 'collector-optout__label', root);
    var input = element('input', 'collector-optout__switch', label);
    var text = element('span', 'collector-optout__text', label);
    var status = element('p', 'collector-optout__status', root);
    input.type = 'checkbox';
    input.id = id;
    input.setAttribute('role', 'switch');
    input.setAttribute('aria-describedby', id + '-status');
    label.htmlFor = id;
    text.textContent = t.label;
    status.id = id + '-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    // Sensible defaults through the CSSOM (a strict CSP allows it); the page's classes win
    // only with !important, so keep them few.
    label.style.display = 'inline-flex';
    label.style.alignItems = 'center';
    label.style.gap = '0.5em';
    label.style.cursor = 'pointer';
    input.style.width = '1.25em';
    input.style.height = '1.25em';
    input.style.margin = '0';
    status.style.margin = '0.25em 0 0';

    var busy = false;

    function show(included, message, failed) {
      input.checked = included;
      input.setAttribute('aria-checked', included ? 'true' : 'false');
      root.classList.toggle('collector-optout--off', !included);
      root.classList.toggle('collector-optout--error', !!failed);
      root.classList.toggle('collector-optout--busy', busy);
      root.setAttribute('aria-busy', busy ? 'true' : 'false');
      status.textContent = message || (included ? t.on : t.off);
    }

    input.addEventListener('change', function () {
      var included = input.checked;
      if (busy) { // one change at a time: undo the click that came meanwhile
        input.checked = !included;
        return;
      }
      busy = true;
      show(included, t.saving);
      backend.save(!included, function (error) {
        busy = false;
        if (error) show(!included, t.error, true);
        else show(included);
      });
    });

    busy = true;
    input.setAttribute('aria-disabled', 'true');
    show(true, '');
    backend.load(function (error, optedOut) {
      busy = false;
      input.removeAttribute('aria-disabled');
      if (error) {
        input.disabled = true; // the state is unknown: do not offer a switch that may lie
        show(false, t.loadError, true);
        return;
      }
      show(!optedOut);
      root.setAttribute('data-collector-optout-loaded', '');
    });
  }

  function init(scope) {
    var nodes = (scope || document).querySelectorAll('[data-collector-optout]');
    for (var i = 0; i < nodes.length; i++) setup(nodes[i]);
  }

  window.CollectorOptout = { init: init };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', function () { init(); });
  else init();
})();
