// The demo's single-page app: links marked data-route change the URL with
// history.pushState and track a page view, as an SPA router would.
(function () {
  'use strict';
  var VIEWS = {
    '/demo/app/': ['App – overview', 'An overview of the app. Try the links above.'],
    '/demo/app/features': ['App – features', 'Features: counts without cookies, honours opt-outs.'],
    '/demo/app/docs': ['App – docs', 'Docs: see docs/opt-out.md in the collector repository.']
  };
  var _paq = (window._paq = window._paq || []);
  var previous = location.href;

  function render() {
    var view = VIEWS[location.pathname] || VIEWS['/demo/app/'];
    document.title = view[0];
    document.getElementById('app-title').textContent = view[0];
    document.getElementById('view').textContent = view[1];
  }

  function track() {
    _paq.push(['setReferrerUrl', previous]);
    _paq.push(['setCustomUrl', location.href]);
    _paq.push(['setDocumentTitle', document.title]);
    _paq.push(['trackPageView']);
    previous = location.href;
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-route]');
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    if (link.href === location.href) return;
    history.pushState(null, '', link.href);
    render();
    track();
  });
  window.addEventListener('popstate', function () {
    render();
    track();
  });
  render();
})();
