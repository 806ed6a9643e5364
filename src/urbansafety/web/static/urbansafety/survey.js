/* Respondent pages, progressive enhancement only: the pages work without this file.
   - the error summary takes the focus, so a screen reader reads it first;
   - a link of the summary focuses its field (and scrolls it into view);
   - the resume link is selected when focused, ready to copy;
   - one-page form: questions that do not apply are hidden as answers change. The server says
     which apply (the questionnaire's own rules, the same as on submit): no rule is copied here. */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }

  function selectResumeLink() {
    var resume = document.getElementById("resume-link");
    if (resume) {
      resume.addEventListener("focus", function () { resume.select(); });
    }
  }

  function applyRelevance(form, names) {
    var shown = {};
    names.forEach(function (name) { shown[name] = true; });
    form.querySelectorAll("[data-q]").forEach(function (el) {
      var hide = !shown[el.getAttribute("data-q")] && !el.querySelector("[aria-invalid='true']");
      el.hidden = hide;
    });
    form.querySelectorAll("[data-section]").forEach(function (section) {
      section.hidden = !section.querySelector("[data-q]:not([hidden])");
    });
  }

  function watchRelevance() {
    var form = document.querySelector("form[data-relevance-url]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var url = form.getAttribute("data-relevance-url");
    var pending = null;
    var sent = 0;
    function check() {
      var ticket = ++sent;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && ticket === sent) { applyRelevance(form, data.relevant); }
        })
        .catch(function () { /* offline or refused: every question stays shown */ });
    }
    form.addEventListener("change", function () {
      clearTimeout(pending);
      pending = setTimeout(check, 150);
    });
    check();
  }

  function ready() {
    focusSummary();
    selectResumeLink();
    watchRelevance();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
