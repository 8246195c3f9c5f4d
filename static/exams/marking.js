// Marking page: ticking rubric items fills the points field with their sum; the marker can still type
// another figure (a later tick recomputes it).
(function () {
  "use strict";
  document.querySelectorAll(".marking-form").forEach(function (form) {
    var points = form.querySelector("input[name=points]");
    form.querySelectorAll(".rubric-tick").forEach(function (tick) {
      tick.addEventListener("change", function () {
        var sum = 0;
        form.querySelectorAll(".rubric-tick:checked").forEach(function (t) { sum += parseFloat(t.dataset.points) || 0; });
        points.value = String(Math.round(sum * 100) / 100);
      });
    });
  });
})();
