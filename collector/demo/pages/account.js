// The demo's account-settings page: a pretend login (a name in sessionStorage) and the
// opt-out widgets. Loaded with defer before /js/optout-widget.js, so the account widget's
// data-endpoint is set before the widget script looks for it.
(function () {
  'use strict';
  var KEY = 'demo_user';
  var user = sessionStorage.getItem(KEY);
  var login = document.getElementById('login');
  var account = document.getElementById('account');

  login.addEventListener('submit', function (event) {
    event.preventDefault();
    var name = document.getElementById('name').value.trim();
    if (!name) return;
    sessionStorage.setItem(KEY, name);
    location.reload(); // the tracker snippet reads the name on load (setUserId)
  });
  document.getElementById('logout').addEventListener('click', function () {
    sessionStorage.removeItem(KEY);
    location.reload();
  });

  if (!user) {
    login.hidden = false;
    // No user, no account widget: keep the widget script from rendering it.
    account.remove();
    return;
  }
  document.getElementById('who').textContent = user;
  // A real backend knows the user from its own session; the demo passes the name along.
  document.getElementById('account-optout')
    .setAttribute('data-endpoint', '/demo/api/optout?user=' + encodeURIComponent(user));
  account.hidden = false;
})();
