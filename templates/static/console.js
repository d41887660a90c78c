/* The console's progressive enhancement (the pages work without it; the CSP allows no inline script).
   - Draft page: live filtering of the unit search, a warning when the form has unsaved changes, the launch
     button disabled once pressed (a double click sends one request; the server's claim launches once anyway).
   - Live page: the figures kept current from the server-sent events of /admin/directives/{id}/events. */
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("vi-VN");

  function unitSearch() {
    var input = document.getElementById("unit-q");
    var list = document.getElementById("unit-hits");
    if (!input || !list || !window.fetch) return;
    var listed = new Set((input.dataset.listed || "").split(" ").filter(Boolean));
    var timer = null, asked = 0;
    function show(units) {
      while (list.firstChild) list.removeChild(list.firstChild);
      if (input.value.trim() && !units.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = input.dataset.none;
        list.appendChild(none);
      }
      units.forEach(function (u) {
        var li = document.createElement("li");
        li.dataset.unit = u.code;
        li.appendChild(document.createTextNode(u.name + " "));
        var kind = document.createElement("span");
        kind.className = "muted";
        kind.textContent = u.kind ? "· " + u.kind + " " : "";
        li.appendChild(kind);
        if (listed.has(u.code)) {
          var had = document.createElement("span");
          had.className = "muted";
          had.textContent = "(" + input.dataset.already + ")";
          li.appendChild(had);
        } else {
          var button = document.createElement("button");
          button.type = "submit";
          button.setAttribute("form", "draft");
          button.name = "action";
          button.value = "add:" + u.code;
          button.className = "secondary small";
          button.textContent = input.dataset.add;
          button.setAttribute("aria-label", input.dataset.add + " " + u.name);
          li.appendChild(button);
        }
        list.appendChild(li);
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked, q = input.value.trim();
        if (!q) { show([]); return; }
        fetch(input.dataset.units + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { units: [] }; })
          .then(function (body) { if (mine === asked) show(body.units || []); })
          .catch(function () { /* the search button still works */ });
      }, 200);
    });
  }

  function launchGuard() {
    var form = document.getElementById("launch-form");
    var button = document.getElementById("launch-button");
    var draft = document.getElementById("draft");
    if (!form || !button) return;
    form.addEventListener("submit", function (event) {
      if (button.dataset.sent) { event.preventDefault(); return; }
      button.dataset.sent = "1";
      // Disabled after this event: a disabled button would not be submitted at all.
      setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
    });
    if (draft && !button.disabled) {
      var note = document.getElementById("unsaved");
      var changed = function () { button.disabled = true; if (note) note.hidden = false; };
      draft.addEventListener("input", changed);
      draft.addEventListener("change", changed);
    }
  }

  function liveFigures() {
    var root = document.getElementById("live");
    if (!root || !window.EventSource) return;
    var table = document.getElementById("live-levels");
    var names = ["units", "sent", "asked", "confirmed", "late", "bounced"];
    function row(level) {
      var tr = table.querySelector('tr[data-level="' + level + '"]');
      if (tr) return tr;
      tr = document.createElement("tr");
      tr.dataset.level = String(level);
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(level);
      tr.appendChild(th);
      names.forEach(function (n) { var td = document.createElement("td"); td.dataset.figure = n; tr.appendChild(td); });
      table.tBodies[0].appendChild(tr);
      return tr;
    }
    function fill(tr, line) {
      names.forEach(function (n) { var td = tr.querySelector('[data-figure="' + n + '"]'); if (td) td.textContent = fmt.format(line[n]); });
    }
    var source = new EventSource(root.dataset.events);
    var note = document.getElementById("live-note");
    if (note) note.hidden = false;
    source.addEventListener("figures", function (event) {
      var data = JSON.parse(event.data);
      data.levels.forEach(function (line) { fill(row(line.level), line); });
      fill(table.querySelector('tr[data-level="0"]'), data.total);
      names.forEach(function (n) {
        var el = root.querySelector('[data-total="' + n + '"]');
        if (el) el.textContent = fmt.format(data.total[n]);
      });
      var state = document.getElementById("dispatch-state");
      if (state) state.textContent = data.dispatched ? state.dataset.done : state.dataset.going;
      root.dataset.updated = String(Date.now());
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    unitSearch();
    launchGuard();
    liveFigures();
  });
})();
