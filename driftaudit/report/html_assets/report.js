// driftaudit HTML report: the severity/app filters. Reads only data-* attributes and the
// URL hash (#severity=error&app=library); never evaluates report data. Without JavaScript the
// filter bar stays hidden and every finding is shown.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var NAMES = ["severity", "app"];
  var list = function (nodes) { return Array.prototype.slice.call(nodes); };
  var boxes = function (name) { return list(form.querySelectorAll("input[name='" + name + "']")); };
  var chosen = function (name) {
    return boxes(name).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  };

  function readHash() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") < 0) { return; }  // #G1, #F3: a link to a section, not a filter
    hash.split("&").forEach(function (part) {
      var pair = part.split("=");
      var name = decodeURIComponent(pair[0]);
      if (NAMES.indexOf(name) < 0) { return; }
      var values = (pair[1] || "").split(",").map(decodeURIComponent);
      boxes(name).forEach(function (b) { b.checked = values.indexOf(b.value) >= 0; });
    });
  }

  function writeHash() {
    var parts = [];
    NAMES.forEach(function (name) {
      var on = chosen(name);
      if (on.length < boxes(name).length) { parts.push(name + "=" + on.map(encodeURIComponent).join(",")); }
    });
    try {
      history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
    } catch (e) { /* a browser refusing replaceState on file:// keeps the filter, not the URL */ }
  }

  function apply() {
    var severities = chosen("severity"), apps = chosen("app"), shown = 0, total = 0;
    list(document.querySelectorAll("[data-severity][data-app]")).forEach(function (el) {
      var visible = severities.indexOf(el.dataset.severity) >= 0 && apps.indexOf(el.dataset.app) >= 0;
      el.hidden = !visible;
      if (el.classList.contains("finding")) { total += 1; shown += visible ? 1 : 0; }
    });
    list(document.querySelectorAll("section.group")).forEach(function (group) {
      group.hidden = !group.querySelector(".finding:not([hidden])");
    });
    var out = document.getElementById("shown");
    if (out) { out.textContent = shown + " of " + total + " findings shown"; }
  }

  form.hidden = false;
  readHash();
  apply();
  form.addEventListener("change", function () { writeHash(); apply(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
})();
