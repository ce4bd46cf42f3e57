/* Heliograph: optional progressive enhancement. Every page is complete without it.
   1. Next to each time, the visitor's local time when their zone shows it differently.
   2. A maintenance flips from scheduled to in progress to completed when its window
      passes between two builds of the site.
   3. Escape closes an open day of the uptime bars. */
(function () {
  "use strict";
  var body = document.body;
  var lang = document.documentElement.lang || undefined;
  var siteZone = body.getAttribute("data-zone");
  var label = body.getAttribute("data-local") || "{time}";
  var parts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
                timeZoneName: "short" };

  function format(date, zone) {
    var options = Object.assign({}, parts);
    if (zone) { options.timeZone = zone; }
    return new Intl.DateTimeFormat(lang, options).format(date);
  }

  function localTimes() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var value = el.getAttribute("datetime");
      if (value.length <= 10 || el.nextElementSibling && el.nextElementSibling.className === "local") {
        continue;
      }
      var date = new Date(value);
      if (isNaN(date.getTime())) { continue; }
      var local = format(date);
      if (siteZone && local === format(date, siteZone)) { continue; }
      var span = document.createElement("span");
      span.className = "local";
      span.textContent = label.replace("{time}", local);
      el.after(" ", span);  /* the space lets a line break before it */
    }
  }

  function flipMaintenance() {
    var now = Date.now();
    var pills = document.querySelectorAll("[data-start][data-end]");
    for (var i = 0; i < pills.length; i++) {
      var pill = pills[i];
      var start = Date.parse(pill.getAttribute("data-start"));
      var end = Date.parse(pill.getAttribute("data-end"));
      var state = now >= end ? "completed" : now >= start ? "in_progress" : "";
      if (!state) { continue; }
      pill.textContent = pill.getAttribute(state === "completed" ? "data-done" : "data-active");
      pill.className = "pill p-" + state;
    }
  }

  function closeOnEscape(event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelectorAll("details.d[open]");
    for (var i = 0; i < open.length; i++) { open[i].open = false; }
    var focused = document.activeElement;
    if (focused && focused.closest && focused.closest("details.d")) {
      focused.closest("details.d").querySelector("summary").focus();
      focused.blur();
    }
  }

  try {
    localTimes();
  } catch (e) { /* an old browser without Intl time zones keeps the site's times */ }
  flipMaintenance();
  setInterval(flipMaintenance, 30000);
  document.addEventListener("keydown", closeOnEscape);
}());
