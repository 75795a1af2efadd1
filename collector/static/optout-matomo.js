/*
 * Matomo-compatible opt-out form, served by
 * /index.php?module=CoreAdminHome&action=optOutJS&divId=…&language=…&showIntro=…
 * (collector/optout_js.py fills in the settings below, JSON-encoded). Renders a checkbox
 * into the element with id settings.divId; the choice is kept by the tracker
 * (_paq optUserOut / forgetUserOptOut: one localStorage key, never a cookie).
 * No inline handlers or style attributes: it works under a strict Content-Security-Policy.
 */
(function (settings) {
  'use strict';

  var STORAGE_KEY = 'collector_optout'; // the tracker's own key, used when no tracker loaded

  function tracker() {
    var m = window.Matomo;
    return m && m.getTracker ? m.getTracker() : null;
  }

  function storage(op) {
    try {
      return window.localStorage[op](STORAGE_KEY, '1');
    } catch (e) {
      return null;
    }
  }

  function optedOut() {
    var t = tracker();
    return t ? !!t.isUserOptedOut() : !!storage('getItem');
  }

  function choose(out) {
    var paq = (window._paq = window._paq || []);
    paq.push([out ? 'optUserOut' : 'forgetUserOptOut']);
    if (!tracker()) storage(out ? 'setItem' : 'removeItem');
  }

  function add(parent, tag, text) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function render(div) {
    var out = optedOut();
    var t = settings.texts;
    div.textContent = '';
    if (settings.showIntro) add(div, 'p', out ? t.optedOutIntro : t.intro).className = 'matomo-opt-out__intro';
    var input = add(div, 'input');
    input.type = 'checkbox';
    input.id = settings.divId + '-trackVisits';
    input.className = 'matomo-opt-out__checkbox';
    input.checked = !out;
    var label = add(div, 'label');
    label.htmlFor = input.id;
    add(add(label, 'strong'), 'span', out ? t.optedOut : t.notOptedOut);
    input.addEventListener('change', function () {
      choose(!input.checked);
      render(div);
      var again = document.getElementById(input.id);
      if (again) again.focus();
    });
  }

  function style(div) {
    var s = settings.style;
    if (s.color) div.style.color = s.color;
    if (s.backgroundColor) div.style.backgroundColor = s.backgroundColor;
    if (s.fontSize) div.style.fontSize = s.fontSize;
    if (s.fontFamily) div.style.fontFamily = s.fontFamily;
  }

  function start() {
    var div = document.getElementById(settings.divId);
    if (!div) {
      if (window.console) console.warn('opt-out: no element with id ' + JSON.stringify(settings.divId));
      return;
    }
    style(div);
    div.setAttribute('aria-live', 'polite');
    render(div);
  }

  if (document.readyState === 'loading' && !document.getElementById(settings.divId)) {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})(__SETTINGS__);
