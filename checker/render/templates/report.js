(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // Filters: a form[data-filter=S] shows or hides every [data-item=S] element. A select named N keeps
  // the items whose data-N holds its value (space-separated tokens); the search box matches
  // data-text, else the item's text. Items sharing a data-key follow the first one (a table row and
  // its detail card); [data-group=S] hides when none of its items is shown.
  each(document.querySelectorAll("form[data-filter]"), function (form) {
    var scope = form.getAttribute("data-filter");
    var items = document.querySelectorAll('[data-item="' + scope + '"]');
    var groups = document.querySelectorAll('[data-group="' + scope + '"]');
    var output = form.querySelector("output");
    var q = form.querySelector('input[type="search"]');
    function apply() {
      var needle = q ? q.value.trim().toLowerCase() : "";
      var selects = Array.prototype.filter.call(form.querySelectorAll("select"), function (s) { return s.value; });
      var verdict = {}, total = 0, shown = 0;
      each(items, function (el) {
        var key = el.getAttribute("data-key") || el.id;
        if (!(key in verdict)) {
          var ok = selects.every(function (s) {
            return (" " + (el.getAttribute("data-" + s.name) || "") + " ").indexOf(" " + s.value + " ") >= 0;
          });
          if (ok && needle) {
            ok = (el.getAttribute("data-text") || el.textContent).toLowerCase().indexOf(needle) >= 0;
          }
          verdict[key] = ok;
          total += 1;
          shown += ok ? 1 : 0;
        }
        el.hidden = !verdict[key];
      });
      each(groups, function (g) { g.hidden = !g.querySelector('[data-item="' + scope + '"]:not([hidden])'); });
      if (output) { output.textContent = shown + " of " + total + " shown"; }
    }
    form.hidden = false;
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    apply();
  });

  // Sortable tables: the header cells become buttons; a cell's data-sort, else its text, is the key.
  each(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    var heads = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1].cells : [];
    each(heads, function (th, col) {
      if (th.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var key = function (row) {
          var cell = row.cells[col];
          return cell ? (cell.getAttribute("data-sort") || cell.textContent.trim()) : "";
        };
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny) && isFinite(x) && isFinite(y)) ? nx - ny
            : x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
          return dir === "ascending" ? c : -c;
        });
        each(rows, function (r) { body.appendChild(r); });
      });
    });
  });

  // Printing shows every explanation, folded or not.
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("details"), function (d) { d.setAttribute("open", ""); });
  });
})();
