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
      row.hidden = !match;
      if (match) shown += 1;
    });
    counter.textContent = terms.length
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

  function setUp() {
    document.querySelectorAll(FILTERABLE).forEach(makeFilterable);
    document.querySelectorAll(SORTABLE).forEach(makeSortable);
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
