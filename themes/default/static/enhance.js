/* Heliograph: optional progressive enhancement. Every page is complete without it.
   1. Each time (written in the site's zone) in the visitor's zone, the full timestamp in its
      title.
   2. A maintenance flips from scheduled to in progress to completed when its window
      passes between two builds of the site.
   3. Escape closes an open day of the uptime bars. */
(function () {
  "use strict";
  var body = document.body;
  var lang = document.documentElement.lang || undefined;
  var siteZone = body.getAttribute("data-zone");

  /* Each time in the visitor's zone, written like the server writes it (the catalogue's
     pattern and month names); Intl only gives the numbers and the zone's name. */
  function localTimes() {
    var pattern = body.getAttribute("data-datetime");
    var months = (body.getAttribute("data-months") || "").split("|");
    var ampm = (body.getAttribute("data-ampm") || "AM|PM").split("|");
    if (!pattern || months.length !== 12) { return; }
    var numeric = { year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
                    minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
                    numberingSystem: "latn" };
    var visitor = new Intl.DateTimeFormat(lang, numeric);
    var site = new Intl.DateTimeFormat(lang, Object.assign({ timeZone: siteZone }, numeric));
    var full = new Intl.DateTimeFormat(lang, { dateStyle: "full", timeStyle: "long" });

    function text(formatter, date) {
      var f = {};
      formatter.formatToParts(date).forEach(function (p) { f[p.type] = p.value; });
      var h = parseInt(f.hour, 10) % 24;
      var values = { day: parseInt(f.day, 10), month: months[f.month - 1], year: f.year,
                     H: (h < 10 ? "0" : "") + h, h: h % 12 || 12, M: f.minute,
                     p: ampm[h < 12 ? 0 : 1], zone: f.timeZoneName };
      return pattern.replace(/\{(\w+)(:[^}]*)?\}/g, function (all, key) {
        return key in values ? values[key] : all;
      });
    }

    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var date = new Date(times[i].getAttribute("datetime"));
      /* a date without a time stays as it is; the site's own zone keeps the server's text */
      if (times[i].getAttribute("datetime").length <= 10 || isNaN(date)) { continue; }
      var local = text(visitor, date);
      if (local !== text(site, date)) { times[i].textContent = local; }
      times[i].title = full.format(date);
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
