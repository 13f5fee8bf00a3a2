// Quick exit, for pages someone may need to leave at once because they are
// being watched. Progressive enhancement only: without this file the quick
// exit is a plain link to a neutral site, or (signed in) a form that signs
// out and then passes through a neutral page to that site. With it, leaving
// also replaces the current history entry (so Back does not return to the
// page), and pressing Esc three times in a row leaves too.
(function () {
  "use strict";
  var control = document.querySelector("[data-quick-exit]");
  if (!control) { return; }
  var form = document.querySelector("[data-quick-exit-form]");

  function hide() {
    // Hide the page at once, before the next site has loaded.
    document.documentElement.style.visibility = "hidden";
    try { document.title = ""; } catch (e) { /* ignore */ }
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    var target = form ? form.getAttribute("data-target") : control.href;
    hide();
    if (form) {
      // Sign out in the background (the request outlives the page), then go.
      try {
        fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
          keepalive: true, redirect: "manual" }).catch(function () { /* leaving anyway */ });
      } catch (e) { /* leaving anyway */ }
    }
    window.location.replace(target);
  }

  if (form) {
    form.addEventListener("submit", leave);
  } else {
    control.addEventListener("click", leave);
  }

  var presses = 0;
  var timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    presses += 1;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { presses = 0; }, 2000);
    if (presses >= 3) { leave(); }
  });

  // Tell people about the keys only where the keys work.
  var tips = document.querySelectorAll("[data-quick-exit-esc]");
  for (var i = 0; i < tips.length; i++) { tips[i].hidden = false; }
})();
