// Session time-out warning (WCAG 2.2.1), progressive enhancement only: the
// server states the limit in words for pages without JavaScript.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var idle = parseInt(dialog.getAttribute("data-idle-seconds"), 10) * 1000;
  if (!(idle > 0)) { return; }
  var warnBefore = Math.min(120000, idle / 2);
  var throttle = Math.min(60000, idle / 4);
  var tokenField = document.querySelector('input[name="_csrf"]');
  var token = tokenField ? tokenField.value : "";
  var lastActive = Date.now();
  var lastPing = Date.now();
  var ended = false;
  var warnTimer = null;
  var pingTimer = null;

  function schedule() {
    clearTimeout(warnTimer);
    warnTimer = setTimeout(warn, Math.max(idle - warnBefore - (Date.now() - lastActive), 0));
  }
  function warn() {
    if (!dialog.open) { dialog.showModal(); }
  }
  function showEnded() {
    ended = true;
    dialog.querySelector('[data-role="warning"]').hidden = true;
    dialog.querySelector('[data-role="ended"]').hidden = false;
    dialog.querySelector('[data-action="stay"]').hidden = true;
    if (!dialog.open) { dialog.showModal(); }
  }
  // keepAlive tells the server the person is still here. A session already
  // over answers with the sign-in page (a redirect), never with 204.
  function keepAlive() {
    if (ended) { return; }
    lastPing = Date.now();
    var x = new XMLHttpRequest();
    x.open("POST", "/session/keepalive");
    x.setRequestHeader("X-CSRF-Token", token);
    x.onload = function () {
      if (x.status === 204) {
        lastActive = Date.now();
        schedule();
      } else {
        showEnded();
      }
    };
    x.send();
  }
  dialog.querySelector('[data-action="stay"]').addEventListener("click", function () {
    dialog.close();
    keepAlive();
  });
  // Typing in a form is activity: keep the session alive, at most once a
  // minute.
  document.addEventListener("input", function () {
    if (ended || pingTimer) { return; }
    var wait = Math.max(throttle - (Date.now() - lastPing), 0);
    pingTimer = setTimeout(function () { pingTimer = null; keepAlive(); }, wait);
  }, true);
  // The session ends when the idle time runs out: say so.
  setInterval(function () {
    if (!ended && Date.now() - lastActive > idle) { showEnded(); }
  }, 5000);
  schedule();
})();
