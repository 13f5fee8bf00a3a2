// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so that keyboard and screen-reader users
  // hear what went wrong first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();

// Issue 16 (notices): tables reflow into stacked rows on a phone (app.css).
// Each cell is labelled with its column's heading where the page did not
// label it, and the table's roles are stated explicitly so that the stacked
// layout keeps table semantics for screen readers.
(function () {
  "use strict";
  var tables = document.querySelectorAll("main table");
  for (var i = 0; i < tables.length; i++) {
    var table = tables[i];
    var heads = table.querySelectorAll("thead th");
    var labels = [];
    for (var h = 0; h < heads.length; h++) { labels.push(heads[h].textContent.replace(/\s+/g, " ").trim()); }
    table.setAttribute("role", "table");
    var groups = table.querySelectorAll("thead, tbody");
    for (var g = 0; g < groups.length; g++) { groups[g].setAttribute("role", "rowgroup"); }
    var rows = table.querySelectorAll("tr");
    for (var r = 0; r < rows.length; r++) {
      rows[r].setAttribute("role", "row");
      var cells = rows[r].children;
      for (var c = 0; c < cells.length; c++) {
        var cell = cells[c];
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
        } else {
          cell.setAttribute("role", "cell");
          if (!cell.hasAttribute("data-label") && labels[c]) { cell.setAttribute("data-label", labels[c]); }
        }
      }
    }
  }
})();
