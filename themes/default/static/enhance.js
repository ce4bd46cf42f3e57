/* Heliograph, optional: times in the visitor's zone, what the clock changes between
   builds (data-schedule), Escape closes a day of the bars. Pages are complete without. */
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

  /* The build embeds the page's statuses at the coming clock instants (window starts and
     ends, announcements' ends), words included: show the latest one that has begun. */
  var schedule = null;
  try {
    var data = body.getAttribute("data-schedule");
    schedule = data && JSON.parse(data);
  } catch (e) { /* no schedule: the page stays as built */ }

  function setText(el, word) {  /* the last text, after an icon */
    var text = el.lastChild;
    if (text && text.nodeType === 3) { text.nodeValue = word; } else { el.textContent = word; }
  }

  /* value: [code, word]: the class prefix+code and the word. */
  function setStatus(el, prefix, value) {
    el.className = el.className.replace(new RegExp("\\b" + prefix + "\\S+"), prefix + value[0]);
    setText(el, value[1]);
  }

  function each(attribute, values, prefix) {
    for (var id in values) {
      var els = document.querySelectorAll("[" + attribute + "=\"" + id + "\"]");
      for (var i = 0; i < els.length; i++) { setStatus(els[i], prefix, values[id]); }
    }
  }

  function applySchedule() {
    if (!schedule) { return; }
    var now = Date.now();
    var step = null;
    for (var i = 0; i < schedule.steps.length; i++) {
      if (Date.parse(schedule.steps[i].at) <= now) { step = schedule.steps[i]; }
    }
    if (!step) { return; }
    each("data-component", step.components, "s-");
    each("data-group", step.groups, "s-");
    each("data-entry", step.entries, "p-");
    /* "will be under maintenance" once the window is open */
    document.querySelectorAll("[data-ahead]").forEach(function (el) {
      var e = step.entries[el.getAttribute("data-ahead")];
      if (e && e[0] !== "scheduled") { el.textContent = el.getAttribute("data-started"); }
    });
    var banner = document.querySelector("[data-indicator]");
    if (banner) {
      banner.className = banner.className.replace(/\bb-\S+/, "b-" + step.indicator[0]);
      setText(banner.querySelector("h1"), step.indicator[1]);
    }
    var icon = document.querySelector("link[rel=icon]");
    var built = schedule.favicons[schedule.indicator];
    var href = icon && icon.getAttribute("href");
    if (href && built && href.slice(-built.length) === built) {
      icon.setAttribute("href", href.slice(0, href.length - built.length) + schedule.favicons[step.indicator[0]]);
      schedule.indicator = step.indicator[0];
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
  applySchedule();
  setInterval(applySchedule, 30000);
  document.addEventListener("keydown", closeOnEscape);
}());
