/* Pipeline board: move a card's phase without leaving the page.
 *
 * Progressive enhancement only: every card's form is a normal POST that
 * works without this script. Here the same form is sent with fetch() asking
 * for JSON; on success the card is replaced by the server's fresh copy in
 * its new column, on refusal the messages are shown beside the fields.
 */
(function () {
  "use strict";

  function clearErrors(form) {
    form.querySelectorAll(".field").forEach(function (field) {
      field.classList.remove("has-error");
      var error = field.querySelector(".error");
      if (error) { error.remove(); }
      field.querySelectorAll("[aria-invalid]").forEach(function (input) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      });
    });
    var formError = form.querySelector(".form-error");
    if (formError) { formError.hidden = true; formError.textContent = ""; }
  }

  function showErrors(form, errors) {
    Object.keys(errors).forEach(function (name) {
      var text = errors[name].join(" ");
      var field = form.querySelector('.field[data-field="' + name + '"]');
      if (!field) {
        var formError = form.querySelector(".form-error");
        formError.textContent = (formError.textContent + " " + text).trim();
        formError.hidden = false;
        return;
      }
      var input = field.querySelector("select, textarea, input");
      var error = document.createElement("p");
      error.className = "error";
      error.id = input.id + "-error";
      error.textContent = text;
      input.before(error);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
      field.classList.add("has-error");
    });
    var first = form.querySelector("[aria-invalid]");
    if (first) { first.focus(); }
  }

  function changeCount(phase, delta) {
    [document.getElementById("count-" + phase),
     document.querySelector("#column-" + phase + " h2 .count")].forEach(function (element) {
      if (!element) { return; }
      var number = parseInt(element.textContent.replace(/[^0-9]/g, ""), 10) || 0;
      var shown = String(Math.max(0, number + delta));
      element.textContent = element.tagName === "SPAN" && element.closest("h2") ? "(" + shown + ")" : shown;
    });
  }

  function placeCard(oldCard, html, phase, message) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var card = holder.firstElementChild;
    var oldPhase = oldCard.dataset.phase;
    var column = document.querySelector("#column-" + phase + " .cards");
    oldCard.remove();
    changeCount(oldPhase, -1);
    changeCount(phase, 1);
    var status = document.getElementById("pipeline-status");
    if (status) { status.textContent = message; }
    if (!column) { return; }  // the new phase is not shown under these filters
    var empty = column.querySelector(".empty");
    if (empty) { empty.remove(); }
    column.prepend(card);
    bind(card.querySelector("form.move-form"));
    card.querySelector("h3 a").focus();
  }

  function bind(form) {
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      clearErrors(form);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
        return response.json();
      }).then(function (answer) {
        button.disabled = false;
        if (answer.version !== undefined) { form.elements.version.value = answer.version; }
        if (answer.ok) {
          placeCard(document.getElementById(form.dataset.card), answer.card, answer.phase, answer.message);
        } else {
          showErrors(form, answer.errors || {});
        }
      }).catch(function () {
        // Anything unexpected (sign-in expired, network): fall back to the plain post.
        form.submit();
      });
    });
  }

  document.querySelectorAll("form.move-form").forEach(bind);
})();
