// The panel draw's progress page: poll its state and say it, in words, in the live region.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) instead.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section) { return; }
  var url = section.getAttribute("data-status-url");
  var words = document.getElementById("progress-words");
  var said = document.getElementById("progress-percent");
  var bar = document.getElementById("progress-bar");
  var template = said.textContent;
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.state !== "running") { window.location.reload(); return; }
        var percent = status.percent || 0;
        bar.value = percent;
        bar.textContent = percent + "%";
        var text = template.replace(/\d+(?=\s*%)/, String(percent));
        if (text !== said.textContent) { said.textContent = text; }
        if (status.words && status.words !== words.textContent) { words.textContent = status.words; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
