/* GridReady: behaviour every page shares. No inline handlers anywhere: the Content-Security-Policy
 * allows scripts from this site only.
 * - data-confirm on a form: ask before it is submitted; on a submit button: ask before that button submits. */
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
})();
