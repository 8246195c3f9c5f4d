/* GridReady: behaviour every page shares. No inline handlers anywhere: the Content-Security-Policy
 * allows scripts from this site only.
 * - data-confirm on a form: ask before it is submitted; on a submit button: ask before that button submits.
 * - data-step-fields on a form with a select named "to": its [data-needs="step …"] parts show only while one
 *   of their steps is chosen.
 * - table.table-cards: each cell gets its column's heading as data-label, which the phone layout shows
 *   beside the value when the rows become cards (static/css/app.css). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  }, true);
  function showStepFields(form) {
    var step = form.querySelector("select[name=to]");
    if (!step) { return; }
    form.querySelectorAll("[data-needs]").forEach(function (part) {
      part.hidden = part.getAttribute("data-needs").split(" ").indexOf(step.value) < 0;
    });
  }
  document.querySelectorAll("form[data-step-fields]").forEach(showStepFields);
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    var heads = [];
    table.querySelectorAll("thead tr:last-child th").forEach(function (th) {
      // a heading only a screen reader hears (a column of buttons: "Actions") labels nothing on a card
      var spoken = th.querySelector(".visually-hidden");
      var text = spoken && spoken.textContent.trim() === th.textContent.trim() ? "" : th.textContent.trim();
      for (var i = 0; i < (th.colSpan || 1); i++) { heads.push(text); }
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (heads[column] && !cell.hasAttribute("data-label") && cell.colSpan === 1) { cell.setAttribute("data-label", heads[column]); }
        column += cell.colSpan || 1;
      });
    });
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-step-fields]");
    if (form && event.target.name === "to") { showStepFields(form); }
  });
})();
