/* taizhang: sortable and filterable ledger tables.
 *
 * A table takes part when it carries the class itself or sits inside an element that
 * carries it. Markdown tables cannot take a class (attr_list does not apply to them),
 * and Material styles only tables without a class, so pages wrap them:
 *
 *   <div class="tz-table tz-sortable tz-filterable" markdown>
 *
 *   | 编号 | 整改时限 | 整改状态 |
 *   |---|---|---|
 *   | P01-M1 | 2023-09-30 | <span class="tz-badge tz-closed" data-sort="4">已销号</span> |
 *
 *   </div>
 *
 * A cell sorts by its own data-sort attribute, else by that of the first element
 * inside it that has one (so a badge can carry the order of its status), else by
 * its text. Everything here runs in the browser; nothing is fetched.
 */
(function () {
  "use strict";

  var SORTABLE = "table.tz-sortable, .tz-sortable table";
  var FILTERABLE = "table.tz-filterable, .tz-filterable table";

  if (typeof Tablesort !== "undefined") {
    // Chinese text sorts by pinyin; numbers and ISO dates keep Tablesort's own sorts.
    var collator = new Intl.Collator("zh-Hans-CN", { numeric: true });
    Tablesort.extend("zh", function (item) {
      return /[\u3400-\u9fff]/.test(item);
    }, function (a, b) {
      return collator.compare(b, a);
    });
  }

  function once(element, key) {
    if (element.dataset[key]) return false;
    element.dataset[key] = "1";
    return true;
  }

  function liftSortKeys(table) {
    table.querySelectorAll("tbody td:not([data-sort])").forEach(function (cell) {
      var keyed = cell.querySelector("[data-sort]");
      if (keyed) cell.setAttribute("data-sort", keyed.getAttribute("data-sort"));
    });
  }

  function makeSortable(table) {
    if (typeof Tablesort === "undefined" || !table.tHead || !once(table, "tzSortable")) return;
    liftSortKeys(table);
    new Tablesort(table);
  }

  function rowsOf(table) {
    var rows = [];
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.push.apply(rows, body.rows);
    });
    return rows;
  }

  function applyFilter(table, query, counter) {
    var terms = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var rows = rowsOf(table);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var match = terms.every(function (term) { return text.indexOf(term) !== -1; });
      row.dataset.tzText = match ? "" : "1";
      row.hidden = !match || row.dataset.tzPick === "1";  // the list's filters (picks) hide rows too
      if (!row.hidden) shown += 1;
    });
    counter.textContent = terms.length || shown !== rows.length
      ? "显示 " + shown + " / " + rows.length + " 行"
      : "共 " + rows.length + " 行";
  }

  function makeFilterable(table) {
    if (!once(table, "tzFilterable")) return;
    var box = document.createElement("div");
    box.className = "tz-filter";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "tz-filter__input";
    input.placeholder = "筛选：输入编号、姓名、科室、状态等，空格分隔多个词";
    input.setAttribute("aria-label", "筛选表格");
    input.setAttribute("autocomplete", "off");
    var counter = document.createElement("span");
    counter.className = "tz-filter__count";
    counter.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(counter);

    // Material wraps tables in scroll containers; the box goes before the outermost one.
    var anchor = table.closest(".md-typeset__scrollwrap") || table;
    anchor.parentNode.insertBefore(box, anchor);

    var update = function (event) {
      if (event && event.isComposing) return;  // wait for the Chinese IME to commit
      applyFilter(table, input.value, counter);
    };
    table.tzRefilter = update;  // the list's filters (picks) call it when they change
    input.addEventListener("input", update);
    input.addEventListener("compositionend", update);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        input.value = "";
        update();
      }
    });
    update();
  }

  /* The task list's filters (<form class="tz-picks">): each select names a row key (data-status,
   * data-area, data-department, data-leader, data-marks, data-due, written at build time); the
   * address keeps the choice (?department=dzb&window=overdue), so a figure card can link to it. */

  function picked(row, key, value, asOf) {
    if (!value) return true;
    var words = function (name) { return (row.dataset[name] || "").split(" "); };
    if (key === "status") {
      return value === "completed"
        ? row.dataset.status === "done" || row.dataset.status === "closed"
        : row.dataset.status === value;
    }
    if (key === "window") {
      if (value === "month") {
        var open = row.dataset.status === "not_started" || row.dataset.status === "in_progress";
        return open && (row.dataset.due || "").slice(0, 7) === asOf.slice(0, 7);
      }
      return words("marks").indexOf(value) !== -1;
    }
    return words(key).indexOf(value) !== -1;
  }

  function makePicks(form) {
    if (!once(form, "tzPicks")) return;
    var article = form.closest("article") || document;
    var table = article.querySelector(".tz-table table");
    if (!table) return;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var counter = form.querySelector(".tz-picks__count");
    var params = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var wanted = params.get(select.name);
      if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) select.value = wanted;
    });

    var apply = function () {
      var rows = rowsOf(table);
      var shown = 0;
      rows.forEach(function (row) {
        var match = selects.every(function (s) { return picked(row, s.name, s.value, form.dataset.asOf); });
        row.dataset.tzPick = match ? "" : "1";
        row.hidden = !match || row.dataset.tzText === "1";
      });
      if (table.tzRefilter) table.tzRefilter();  // its own count, with these rows left out
      rows.forEach(function (row) { if (!row.hidden) shown += 1; });
      counter.textContent = form.dataset.shown.replace("{shown}", shown).replace("{total}", rows.length);
      var query = new URLSearchParams();
      selects.forEach(function (s) { if (s.value) query.set(s.name, s.value); });
      var search = query.toString();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(window.history.state, "", window.location.pathname + (search ? "?" + search : ""));
      }
    };
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });  // after the form is reset
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  /* The upward sentence's copy button: the clipboard where the browser allows it (https,
   * localhost), else a selection copied the old way (a site opened from files). */
  function makeCopy(button) {
    if (!once(button, "tzCopy")) return;
    button.addEventListener("click", function () {
      var box = button.closest(".tz-upward");
      var text = box ? box.querySelector(".tz-upward__text").textContent.trim() : "";
      var done = function () {
        var label = button.textContent;
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      var fallback = function () {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
        done();
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  }

  /* On a phone the full title is cut mid-word: the header shows the short one (unit + 整改台账)
   * from <meta name="tz-short-title">, by CSS (taizhang.css, data-tz-short). */
  function shortTitle() {
    var meta = document.querySelector('meta[name="tz-short-title"]');
    var site = document.querySelector(".md-header__topic:first-child .md-ellipsis");
    if (meta && site) site.setAttribute("data-tz-short", meta.getAttribute("content"));
  }

  function setUp() {
    shortTitle();
    document.querySelectorAll(FILTERABLE).forEach(makeFilterable);
    document.querySelectorAll(SORTABLE).forEach(makeSortable);
    document.querySelectorAll("form.tz-picks").forEach(makePicks);
    document.querySelectorAll(".tz-copy").forEach(makeCopy);
  }

  // document$ emits on first load and after every instant navigation.
  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
