/* GridReady live exam monitor: polls the monitor JSON every few seconds (no other service), draws the
 * counts and one card per candidate, and sends the invigilator's actions (each with a reason) as JSON
 * POSTs with the CSRF token. Times are shown in Beijing time. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("monitor-config").textContent);
  var T = cfg.text;
  var rowsEl = document.getElementById("monitor-rows");
  var dept = document.getElementById("f-department"), stateSel = document.getElementById("f-state");
  var modalEl = document.getElementById("action-modal");
  var modal = window.bootstrap ? new window.bootstrap.Modal(modalEl) : null;
  var pending = null, timer = null, loading = false;

  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function fmt(t, vars) { Object.keys(vars).forEach(function (k) { t = t.replace("{" + k + "}", vars[k]); }); return t; }
  function clock(iso) {
    if (!iso) return "—";
    return new Date(iso).toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false });
  }
  function left(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    return (h ? h + ":" : "") + (m < 10 ? "0" : "") + m + ":" + (x < 10 ? "0" : "") + x;
  }
  function query() {
    var q = [];
    if (dept.value) q.push("department=" + encodeURIComponent(dept.value));
    if (stateSel.value) q.push("state=" + encodeURIComponent(stateSel.value));
    return q.length ? "?" + q.join("&") : "";
  }
  function card(r) {
    var bits = [];
    if (r.attempt_id) {
      bits.push(fmt(T.answered, { a: r.answered, b: r.questions }));
      if (r.state === "in_progress") bits.push(T.left + " <strong>" + left(r.seconds_left) + "</strong>");
      bits.push(T.lastSave + " " + clock(r.last_save));
      if (r.device) bits.push(T[r.device] || r.device);
      if (r.number > 1) bits.push(fmt(T.attempt, { n: r.number }));
    }
    var colour = { in_progress: "bg-primary", submitted: "bg-success", auto_submitted: "bg-success", absent: "bg-danger" }[r.state] || "bg-secondary";
    var badges = '<span class="badge ' + colour + '">' + esc(cfg.states[r.state]) + "</span>";
    if (r.collected) badges += ' <span class="badge bg-dark">' + esc(T.collected) + "</span>";
    if (r.focus_events) badges += ' <span class="badge bg-warning text-dark" data-focus="' + r.focus_events + '">' + esc(fmt(T.focus, { n: r.focus_events })) + "</span>";
    if (r.arrangement && r.arrangement.extra_minutes) badges += ' <span class="badge bg-info text-dark">' + esc(fmt(T.extraBadge, { n: r.arrangement.extra_minutes })) + "</span>";
    if (r.arrangement && r.arrangement.closes_at) badges += ' <span class="badge bg-info text-dark">' + esc(T.ownWindow) + "</span>";
    var acts = "";
    if (r.state === "in_progress") acts += btn("collect", T.collect, "btn-outline-danger");
    if (r.state === "submitted" || r.state === "auto_submitted") acts += btn("reopen", T.reopen, "btn-outline-secondary");
    acts += btn("extra", T.extra, "btn-outline-secondary") + btn("message", T.message, "btn-outline-primary");
    return '<div class="card cand s-' + r.state + '" data-employee="' + r.employee_id + '"><div class="card-body py-2">' +
      '<div class="d-flex flex-wrap justify-content-between gap-1"><div><strong>' + esc(r.name) + '</strong> <span class="small text-muted">' +
      esc(r.employee_no) + " · " + esc(r.department) + "</span></div><div>" + badges + "</div></div>" +
      '<div class="small">' + bits.join(" · ") + "</div>" +
      '<div class="actions d-flex flex-wrap gap-1 mt-1" data-attempt="' + (r.attempt_id || "") + '" data-name="' + esc(r.name) + '">' + acts + "</div></div></div>";
  }
  function btn(action, label, cls) { return '<button type="button" class="btn btn-sm ' + cls + '" data-action="' + action + '">' + esc(label) + "</button>"; }
  function draw(data) {
    document.querySelector('[data-count="total"]').textContent = data.total;
    Object.keys(data.counts).forEach(function (k) {
      var el = document.querySelector('[data-count="' + k + '"]'); if (el) el.textContent = data.counts[k];
    });
    if (modalEl.classList.contains("show")) return; // do not move the card the invigilator is acting on
    rowsEl.innerHTML = data.rows.map(card).join("");
    document.getElementById("monitor-empty").classList.toggle("d-none", data.rows.length > 0);
    document.getElementById("monitor-updated").textContent = fmt(T.updated, { t: clock(data.server_now) });
  }
  function alertMsg(text) {
    var el = document.getElementById("monitor-alert");
    el.textContent = text || ""; el.classList.toggle("d-none", !text);
  }
  function refresh() {
    if (loading) return;
    loading = true;
    fetch(cfg.dataUrl + query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { if (!resp.ok) throw new Error(resp.status); return resp.json(); })
      .then(function (data) { alertMsg(null); draw(data); }, function () { alertMsg(T.offline); })
      .then(function () { loading = false; });
  }
  function schedule() { clearInterval(timer); timer = setInterval(refresh, cfg.interval); }

  function open(action, holder) {
    var all = !holder;
    pending = {
      action: action,
      attemptId: holder ? parseInt(holder.dataset.attempt, 10) || null : null,
      employeeId: holder ? parseInt(holder.closest(".cand").dataset.employee, 10) : null,
      all: all
    };
    var titles = { collect: T.collect, "collect-all": T.collectAll, reopen: T.reopen, extra: T.extra, message: T.message, "message-all": T.messageAll };
    document.getElementById("action-title").textContent = titles[action];
    document.getElementById("action-who").textContent = all ? T.everyone : holder.dataset.name;
    document.getElementById("wrap-minutes").classList.toggle("d-none", action !== "reopen" && action !== "extra");
    document.getElementById("wrap-body").classList.toggle("d-none", action.indexOf("message") !== 0);
    document.getElementById("wrap-reason").classList.toggle("d-none", action.indexOf("message") === 0);
    document.getElementById("action-error").textContent = "";
    document.getElementById("a-reason").value = "";
    document.getElementById("a-body").value = "";
    if (modal) modal.show();
  }
  function send() {
    var p = pending, url, body;
    var reason = document.getElementById("a-reason").value.trim();
    var minutes = parseInt(document.getElementById("a-minutes").value, 10);
    if (p.action.indexOf("message") !== 0 && !reason) { document.getElementById("action-error").textContent = T.needReason; return; }
    if (p.action === "collect") { url = cfg.collectUrl; body = { attempt_id: p.attemptId, reason: reason }; }
    else if (p.action === "collect-all") { url = cfg.collectUrl; body = { all: true, reason: reason }; }
    else if (p.action === "reopen") { url = cfg.reopenUrl; body = { attempt_id: p.attemptId, minutes: minutes, reason: reason }; }
    else if (p.action === "extra") { url = cfg.extraUrl; body = { employee_id: p.employeeId, minutes: minutes, reason: reason }; }
    else if (p.action === "message") { url = cfg.messageUrl; body = { employee_id: p.employeeId, body: document.getElementById("a-body").value }; }
    else { url = cfg.messageUrl; body = { all: true, body: document.getElementById("a-body").value }; }
    var go = document.getElementById("action-go");
    go.disabled = true;
    fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        go.disabled = false;
        if (!resp.ok) { document.getElementById("action-error").textContent = data.error || resp.status; return; }
        if (modal) modal.hide();
        alertMsg(null);
        refresh();
      });
    }, function () { go.disabled = false; document.getElementById("action-error").textContent = T.offline; });
  }

  rowsEl.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-action]");
    if (b) open(b.dataset.action, b.closest(".actions"));
  });
  document.querySelectorAll("#monitor-filters [data-action]").forEach(function (b) {
    b.addEventListener("click", function () { open(b.dataset.action, null); });
  });
  document.querySelectorAll("#monitor-counts [data-state]").forEach(function (b) {
    b.addEventListener("click", function () { stateSel.value = b.dataset.state; refresh(); });
  });
  document.getElementById("action-form").addEventListener("submit", function (e) { e.preventDefault(); send(); });
  document.getElementById("monitor-filters").addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
  modalEl.addEventListener("hidden.bs.modal", refresh);
  dept.addEventListener("change", refresh);
  stateSel.addEventListener("change", refresh);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  refresh();
  schedule();
})();
