/* Heliograph: optional progressive enhancement. Every page is complete without it.
   1. Next to each time, the visitor's local time when their zone shows it differently.
   2. Between two builds, what the clock changes (a maintenance window starting or ending,
      an announcement ending) shows on time: statuses, pills, banner and favicon.
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
