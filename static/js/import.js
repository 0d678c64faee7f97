/* Company import: progress bars for large files.
 *
 * Progressive enhancement only: both forms are plain posts that work
 * without this script.
 * - The upload is sent with XMLHttpRequest to show how much has been sent;
 *   then the bar waits while the server checks the file.
 * - The confirmed import is sent with fetch(); while it runs, the import's
 *   JSON status (which the server writes in chunks, on a connection of its
 *   own) is polled to move the bar.
 * When the server answers with a page (errors, refusal), its <main> replaces
 * this page's; when it redirects, the browser goes there.
 */
(function () {
  "use strict";

  var POLL_MS = 700;

  function progressOf(form) {
    var box = form.querySelector(".import-progress");
    return { box: box, bar: box.querySelector("progress"), label: box.querySelector(".progress-label") };
  }

  function show(progress, text, done, total) {
    progress.box.hidden = false;
    progress.label.textContent = text;
    if (total > 0) {
      progress.bar.max = total;
      progress.bar.value = Math.min(done, total);
    } else {
      progress.bar.removeAttribute("value"); // indeterminate
    }
  }

  function replaceMain(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.querySelector("main");
    if (!main) { return false; }
    document.querySelector("main").replaceWith(document.adoptNode(main));
    if (page.title) { document.title = page.title; }
    window.scrollTo(0, 0);
    return true;
  }

  function finish(url, html, fallbackForm, message) {
    if (url) { window.location.assign(url); return; }
    if (html && replaceMain(html)) { return; }
    var progress = progressOf(fallbackForm);
    show(progress, message, 0, 0);
    fallbackForm.querySelector("button[type=submit]").disabled = false;
  }

  function upload(form) {
    var progress = progressOf(form);
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        show(progress, form.dataset.uploading, event.loaded, event.total);
      }
    });
    request.upload.addEventListener("load", function () { show(progress, form.dataset.checking, 0, 0); });
    request.addEventListener("load", function () {
      var redirected = request.status === 200 && request.responseURL && request.responseURL !== form.action;
      finish(redirected ? request.responseURL : null, request.responseText, form, form.dataset.failed);
    });
    request.addEventListener("error", function () { finish(null, null, form, form.dataset.failed); });
    button.disabled = true;
    show(progress, form.dataset.uploading, 0, 0);
    request.send(new FormData(form));
  }

  function confirmImport(form) {
    var progress = progressOf(form);
    var button = form.querySelector("button[type=submit]");
    var running = true;

    function poll() {
      if (!running) { return; }
      fetch(form.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) {
          if (running && status) { show(progress, status.label, status.processed, status.total); }
        })
        .catch(function () { /* the next poll tries again */ })
        .finally(function () { if (running) { window.setTimeout(poll, POLL_MS); } });
    }

    button.disabled = true;
    show(progress, "", 0, 0);
    window.setTimeout(poll, POLL_MS / 2);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        running = false;
        if (response.redirected) { finish(response.url, null, form, form.dataset.failed); return null; }
        return response.text().then(function (html) { finish(null, html, form, form.dataset.failed); });
      })
      .catch(function () { running = false; finish(null, null, form, form.dataset.failed); });
  }

  // Delegated, so forms that arrive with a replaced <main> work too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!window.FormData || !window.fetch) { return; }
    if (form.matches("[data-import-upload]")) {
      if (!form.querySelector("input[type=file]").files.length) { return; } // let the server say what is missing
      event.preventDefault();
      upload(form);
    } else if (form.matches("[data-import-confirm]")) {
      event.preventDefault();
      confirmImport(form);
    }
  });
}());
