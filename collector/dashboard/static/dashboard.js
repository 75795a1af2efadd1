// The dashboard works without this file; it adds: numbers in the browser's locale,
// tabs on the breakdown panels, chart tooltips (pointer and arrow keys), period and
// filter changes without a full reload, a realtime count refreshed every 30 s, and
// the snippets' copy buttons, privacy warnings and confirmations on the admin pages. No external requests, no storage, no cookies.
(function () {
  "use strict";
  var selectedTabs = {};

  function formatNumbers(root) {
    root.querySelectorAll("[data-n]").forEach(function (el) {
      var n = Number(el.getAttribute("data-n"));
      var d = Number(el.getAttribute("data-d") || 0);
      if (!isFinite(n)) return;
      el.textContent = n.toLocaleString(undefined, {minimumFractionDigits: d, maximumFractionDigits: d});
    });
  }

  function setupTabs(root) {
    root.querySelectorAll("[data-tabs]").forEach(function (panel) {
      var list = panel.querySelector("[role=tablist]");
      var tabs = Array.prototype.slice.call(panel.querySelectorAll("[role=tab]"));
      if (!list || !tabs.length) return;
      list.hidden = false;
      panel.classList.add("enhanced");
      function select(tab, focus) {
        tabs.forEach(function (t) {
          var on = t === tab;
          t.setAttribute("aria-selected", on ? "true" : "false");
          t.tabIndex = on ? 0 : -1;
          var body = document.getElementById(t.getAttribute("aria-controls"));
          if (body) {
            body.hidden = !on;
            if (on) body.setAttribute("aria-labelledby", t.id);
          }
        });
        selectedTabs[panel.getAttribute("aria-labelledby")] = tab.id;
        if (focus) tab.focus();
      }
      tabs.forEach(function (tab, i) {
        tab.addEventListener("click", function () { select(tab, false); });
        tab.addEventListener("keydown", function (e) {
          var next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1}[e.key];
          if (next === undefined) return;
          e.preventDefault();
          select(tabs[(next + tabs.length) % tabs.length], true);
        });
      });
      var remembered = document.getElementById(selectedTabs[panel.getAttribute("aria-labelledby")] || "");
      var filled = tabs.filter(function (t) {
        var body = document.getElementById(t.getAttribute("aria-controls"));
        return body && !body.hasAttribute("data-empty");
      });
      select(tabs.indexOf(remembered) >= 0 ? remembered : filled[0] || tabs[0], false);
    });
  }

  function setupChart(root) {
    root.querySelectorAll("[data-chart]").forEach(function (chart) {
      var svg = chart.querySelector("svg");
      var tip = chart.querySelector(".tooltip");
      var cursor = chart.querySelector(".cursor");
      var hits = Array.prototype.slice.call(chart.querySelectorAll(".hit"));
      if (!svg || !tip || !hits.length) return;
      var current = hits.length - 1;
      function show(i) {
        current = Math.max(0, Math.min(hits.length - 1, i));
        var hit = hits[current];
        var visitors = Number(hit.getAttribute("data-visitors")).toLocaleString();
        var views = Number(hit.getAttribute("data-pageviews")).toLocaleString();
        tip.textContent = "";
        var head = document.createElement("strong");
        head.textContent = hit.getAttribute("data-label");
        tip.appendChild(head);
        tip.appendChild(document.createTextNode(visitors + " visitors · " + views + " page views"));
        tip.hidden = false;
        cursor.setAttribute("x", hit.getAttribute("x"));
        cursor.classList.add("on");
        var box = svg.getBoundingClientRect();
        var x = (current + 0.5) / hits.length * box.width;
        var left = Math.max(0, Math.min(box.width - tip.offsetWidth, x - tip.offsetWidth / 2));
        tip.style.left = left + "px";
      }
      function hide() { tip.hidden = true; cursor.classList.remove("on"); }
      svg.addEventListener("mousemove", function (e) {
        var box = svg.getBoundingClientRect();
        show(Math.floor((e.clientX - box.left) / box.width * hits.length));
      });
      svg.addEventListener("mouseleave", function () { if (document.activeElement !== svg) hide(); });
      svg.addEventListener("focus", function () { show(current); });
      svg.addEventListener("blur", hide);
      svg.addEventListener("keydown", function (e) {
        var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: hits.length - 1};
        if (!(e.key in moves)) { if (e.key === "Escape") hide(); return; }
        e.preventDefault();
        show(moves[e.key]);
      });
    });
  }

  function setupCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(source.textContent).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  // A privacy checkbox turned off shows its warning at once (the page shows it after saving too).
  function setupWarnings(root) {
    root.querySelectorAll("input[data-warn]").forEach(function (box) {
      var warning = document.getElementById(box.getAttribute("data-warn"));
      if (!warning) return;
      box.addEventListener("change", function () { warning.hidden = box.checked; });
    });
  }

  // Buttons that ask before they revoke something (the form posts without JavaScript too).
  function setupConfirm(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  function enhance(root) {
    formatNumbers(root);
    setupWarnings(root);
    setupConfirm(root);
    setupTabs(root);
    setupChart(root);
    setupCopy(root);
  }

  // Period and filter changes: fetch the next page and swap the report in place.
  function swap(url, push) {
    var report = document.getElementById("report");
    if (!report || !window.fetch || !window.DOMParser) { location.href = url; return; }
    report.setAttribute("aria-busy", "true");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (reply) {
      if (!reply.ok || reply.redirected) throw new Error("reload");
      return reply.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var next = page.getElementById("report");
      if (!next) throw new Error("reload");
      report.replaceWith(document.importNode(next, true));
      document.title = page.title;
      if (push) history.pushState({swap: true}, "", url);
      var fresh = document.getElementById("report");
      enhance(fresh);
      var title = document.getElementById("site-title");
      if (title) title.focus({preventScroll: true});
    }).catch(function () { location.href = url; });
  }

  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest && e.target.closest("a[data-swap]");
    if (!link) return;
    e.preventDefault();
    swap(link.href, true);
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("form[data-swap-form]")) return;
    e.preventDefault();
    var url = new URL(form.action, location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    swap(url.toString(), true);
  });
  window.addEventListener("popstate", function () {
    if (document.getElementById("report")) swap(location.href, false);
  });

  function refreshRealtime() {
    var box = document.querySelector("[data-realtime]");
    if (!box || document.hidden) return;
    fetch(box.getAttribute("data-realtime"), {credentials: "same-origin"}).then(function (reply) {
      return reply.ok ? reply.json() : null;
    }).then(function (data) {
      var count = box.querySelector("[data-realtime-visitors]");
      if (!data || !count) return;
      count.setAttribute("data-n", data.visitors);
      count.textContent = Number(data.visitors).toLocaleString();
      count.nextSibling.textContent = " visitor" + (data.visitors === 1 ? "" : "s") + " in the last " +
        data.minutes + " minutes";
    }).catch(function () {});
  }
  setInterval(refreshRealtime, 30000);

  enhance(document);
})();
