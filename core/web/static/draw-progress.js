// The panel draw's progress page: poll its state and say it in the live region.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var text = document.getElementById("progress-text");
  var bar = document.getElementById("progress-bar");
  var template = text.textContent;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state !== "running") { window.location.reload(); return; }
        var percent = Math.round((status.fraction || 0) * 100);
        bar.value = percent;
        bar.textContent = percent + "%";
        var said = template.replace(/\d+(?=\s*%)/, String(percent));
        if (said !== text.textContent) { text.textContent = said; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
