// Heliograph preview: reload on rebuild, show content errors as an overlay.
(function () {
  "use strict";
  var me = document.currentScript;
  var seen = me ? new URL(me.src).searchParams.get("g") : null;
  var box = null;

  function hide() {
    if (box) { box.remove(); box = null; }
  }

  // The page's stylesheet styles pre, h1 and button too (a light theme's card colour
  // behind inherited white text was unreadable): every colour here is set inline, from
  // one palette per colour scheme, so the overlay reads the same over any theme.
  function palette() {
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    return dark ? {bg: "#16161a", fg: "#f2f2f2", card: "#26262c", line: "#ff8a80"}
                : {bg: "#ffffff", fg: "#1b1b1f", card: "#f1f1f4", line: "#b3261e"};
  }

  function show(problems) {
    hide();
    var c = palette();
    box = document.createElement("div");
    box.setAttribute("role", "alert");
    var s = box.style;
    s.position = "fixed"; s.inset = "0"; s.zIndex = "2147483647"; s.overflow = "auto";
    s.background = c.bg; s.color = c.fg; s.padding = "2rem"; s.margin = "0";
    s.font = "14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
    var title = document.createElement("h1");
    title.textContent = problems.length + " problem" + (problems.length === 1 ? "" : "s") +
      " in the content; showing the last good build";
    title.style.font = "bold 18px/1.3 system-ui, sans-serif";
    title.style.color = c.fg; title.style.background = "transparent";
    box.appendChild(title);
    problems.forEach(function (p) {
      var item = document.createElement("pre");
      var t = item.style;
      t.whiteSpace = "pre-wrap"; t.margin = "1rem 0"; t.padding = ".75rem 1rem";
      t.color = c.fg; t.background = c.card; t.border = "0";
      t.borderLeft = "4px solid " + c.line; t.borderRadius = "0"; t.font = "inherit";
      item.textContent = p.where + "\n" + p.message + (p.hint ? "\nhint: " + p.hint : "");
      box.appendChild(item);
    });
    var close = document.createElement("button");
    close.type = "button"; close.textContent = "Hide until the next change";
    var b = close.style;
    b.color = c.fg; b.background = c.card; b.border = "1px solid " + c.fg;
    b.padding = ".4rem .8rem"; b.font = "14px/1.4 system-ui, sans-serif"; b.cursor = "pointer";
    close.addEventListener("click", hide);
    box.appendChild(close);
    document.body.appendChild(box);
  }

  var events = new EventSource("/__heliograph/events");
  events.addEventListener("hello", function (e) {
    if (seen !== null && e.data !== seen) { location.reload(); }
  });
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
})();
