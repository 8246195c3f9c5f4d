// Polls a background job's state and updates the progress bar until it finishes.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  async function poll() {
    try {
      const res = await fetch(box.dataset.url, { headers: { Accept: "application/json" } });
      const s = await res.json();
      document.getElementById("job-status").textContent = s.status_label;
      document.getElementById("job-count").textContent = s.done + " / " + s.total;
      document.getElementById("job-message").textContent = s.message || "";
      document.getElementById("job-bar").style.width = (s.total ? Math.round((100 * s.done) / s.total) : 0) + "%";
      if (s.status === "succeeded" || s.status === "failed") {
        if (s.result_link) window.location = s.result_link;
        return;
      }
    } catch (e) { /* network hiccup: try again */ }
    setTimeout(poll, 1500);
  }
  poll();
})();
