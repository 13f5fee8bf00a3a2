// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary so that keyboard and screen-reader users
  // hear what went wrong first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
})();
