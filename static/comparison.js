// Comparison tables, a little better with JavaScript. Everything here is an extra: without it the
// tables are complete, and their checkboxes already choose columns and hide rows that agree (with
// CSS alone, see comparison.css). With it:
// - what is shown is said aloud after each change ("3 of 5 columns and 7 of 12 rows shown");
// - "rows that differ" is worked out again among the columns still shown;
// - rows of numbers or ratings get a button that orders the columns by that row, best first;
// - ranking tables (data-sortable) get buttons in their column headers that sort the rows.
(function () {
  "use strict";

  function cells(row) {
    return Array.prototype.slice.call(row.children);
  }

  function number(cell) {
    var value = cell && cell.getAttribute("data-sort");
    return value === null || value === undefined ? null : parseFloat(value);
  }

  function shownColumns(block) {
    var hidden = {};
    block.querySelectorAll("input[data-column]").forEach(function (box) {
      if (!box.checked) hidden[box.getAttribute("data-column")] = true;
    });
    return hidden;
  }

  // Marks the rows whose shown values are all the same, and says what is shown.
  function refresh(block) {
    var table = block.querySelector("table.comparison-table");
    var status = block.querySelector(".comparison-status");
    if (!table) return;
    var hidden = shownColumns(block);
    var onlyDifferences = block.querySelector(".comparison-only-differences");
    var rows = table.querySelectorAll("tbody tr:not(.comparison-group)");
    var shownRows = 0;
    rows.forEach(function (row) {
      var seen = null;
      var same = true;
      cells(row).forEach(function (cell, i) {
        if (i === 0 || hidden[String(i + 1)]) return;
        var value = cell.querySelector(".comparison-value");
        var text = value ? value.textContent : cell.textContent;
        if (seen === null) seen = text;
        else if (seen !== text) same = false;
      });
      row.classList.toggle("comparison-same", same);
      if (!(same && onlyDifferences && onlyDifferences.checked)) shownRows += 1;
    });
    var columns = table.querySelectorAll("thead th").length - 1;
    var shownColumnCount = columns - Object.keys(hidden).length;
    if (status) {
      status.textContent = shownColumnCount + " of " + columns + " columns and " + shownRows + " of " +
        rows.length + " rows shown.";
    }
  }

  // Orders the columns of `table` by the values of `row`.
  function sortColumns(block, table, row, button) {
    var order = row.getAttribute("data-order");
    var before = button.getAttribute("data-descending");
    // Best first on the first press, then the other way round on each press.
    var descending = before === null ? order === "higher" : before !== "true";
    button.setAttribute("data-descending", String(descending));
    var values = cells(row).slice(1).map(function (cell, i) {
      return { index: i + 1, value: number(cell) };
    });
    values.sort(function (a, b) {
      if (a.value === null || b.value === null) return (a.value === null) - (b.value === null);
      return descending ? b.value - a.value : a.value - b.value;
    });
    table.querySelectorAll("tr").forEach(function (tr) {
      var list = cells(tr);
      if (list.length !== values.length + 1) return;
      values.forEach(function (v) { tr.appendChild(list[v.index]); });
    });
    // The column checkboxes follow their subjects to their new places.
    var headers = cells(table.querySelector("thead tr"));
    block.querySelectorAll("input[data-column]").forEach(function (box) {
      headers.forEach(function (th, i) {
        if (th.getAttribute("data-subject") === box.value) box.setAttribute("data-column", String(i + 1));
      });
    });
    table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
    table.querySelectorAll(".comparison-sort").forEach(function (b) {
      if (b === button) return;
      b.setAttribute("aria-pressed", "false");
      b.removeAttribute("data-descending");
    });
    button.setAttribute("aria-pressed", "true");
    row.querySelector("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
    var status = block.querySelector(".comparison-status");
    if (status) {
      status.textContent = "Columns ordered by " + row.querySelector(".comparison-label").textContent +
        (descending ? ", highest first." : ", lowest first.");
    }
  }

  // Sorts the rows of a ranking table by one column.
  function sortRows(table, column, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.children[column], y = b.children[column];
      var nx = number(x), ny = number(y);
      var result = nx !== null && ny !== null ? nx - ny : x.textContent.localeCompare(y.textContent);
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function button(text, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = text;
    return b;
  }

  document.querySelectorAll(".comparison").forEach(function (block) {
    var table = block.querySelector("table");
    if (!table) return;
    if (table.hasAttribute("data-sortable")) {
      table.querySelectorAll("thead th").forEach(function (th, column) {
        var b = button(th.textContent, "comparison-sort-column");
        th.textContent = "";
        th.appendChild(b);
        b.addEventListener("click", function () { sortRows(table, column, th); });
      });
      return;
    }
    table.querySelectorAll("tr[data-order]").forEach(function (row) {
      var label = row.querySelector(".comparison-label");
      var b = button("Order", "comparison-sort");
      var more = document.createElement("span");
      more.className = "visually-hidden";
      more.textContent = " the columns by " + label.textContent;
      b.appendChild(more);
      b.setAttribute("aria-pressed", "false");
      label.parentNode.insertBefore(b, label.nextSibling);
      b.addEventListener("click", function () { sortColumns(block, table, row, b); });
    });
    block.addEventListener("change", function () { refresh(block); });
  });
})();
