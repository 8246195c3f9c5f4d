/* GridReady conduct console (导调台): the injects in planned order, release / skip / add, polled every
 * POLL_MS so two controllers see each other's actions. The server's clock is the authority: the offset
 * measured at each answer drives the clock and the countdown. */
(function () {
  "use strict";
  var POLL_MS = 3000;
  var cfg = JSON.parse(document.getElementById("console-config").textContent);
  var T = cfg.text;
  var offset = 0, state = null, busy = false, timer = null;
  var fmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  var hm = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function serverNow() { return Date.now() + offset; }
  function span(seconds) {
    seconds = Math.abs(Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    return (h ? h + ":" : "") + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function alertMsg(text) {
    var a = document.getElementById("console-alert");
    if (!text) { a.classList.add("d-none"); return; }
    a.textContent = text; a.classList.remove("d-none");
  }
  function sync(ok) {
    var b = document.getElementById("sync");
    b.className = "badge " + (ok ? "bg-success" : "bg-warning text-dark");
    b.textContent = ok ? T.upToDate : T.offline;
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, data: data }; });
    });
  }
  function accept(res) {
    if (res.status === 200 && res.data.unchanged) {
      offset = Date.parse(res.data.server_now) - Date.now(); sync(true); return true;
    }
    if (res.status === 200 && res.data.injects) {
      offset = Date.parse(res.data.server_now) - Date.now();
      state = res.data; render(); sync(true); return true;
    }
    if (res.data && res.data.error) alertMsg(String(res.data.error));
    return false;
  }
  function poll() {
    clearTimeout(timer);
    return request("GET", cfg.stateUrl + (state && state.version ? "?since=" + encodeURIComponent(state.version) : "")).then(accept, function () { sync(false); })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }
  function act(url, body) {
    if (busy) return Promise.resolve(false);
    busy = true; alertMsg(null);
    return request("POST", url, body || {}).then(function (res) {
      busy = false;
      var ok = accept(res);
      if (!ok && res.status !== 200) poll();
      return ok;
    }, function () { busy = false; sync(false); alertMsg(T.offline); return false; });
  }

  function timing(i) {
    if (i.punctuality === "on_time") return [T.onTime, "bg-success"];
    if (i.punctuality === "early") return [T.early.replace("{n}", -i.deviation_minutes), "bg-info text-dark"];
    if (i.punctuality === "late") return [T.late.replace("{n}", i.deviation_minutes), "bg-danger"];
    return null;
  }
  function card(i) {
    var li = el("li", "card mb-2" + (i.id === state.next_id ? " border-primary border-2" : "") + (i.state !== "pending" ? " bg-light" : ""));
    li.dataset.id = i.id; li.dataset.state = i.state;
    var body = el("div", "card-body py-2");
    var head = el("div", "d-flex flex-wrap gap-2 align-items-baseline");
    head.appendChild(el("strong", "", "T+" + i.offset_minutes));
    head.appendChild(el("span", "text-muted small", T.planned + " " + hm.format(new Date(i.planned_at))));
    if (i.unplanned) head.appendChild(el("span", "badge bg-secondary", T.unplanned));
    var badge = { released: ["bg-primary", T.released], skipped: ["bg-secondary", T.skipped], pending: ["bg-light text-dark border", T.pending] }[i.state];
    head.appendChild(el("span", "badge " + badge[0], badge[1]));
    var tm = timing(i);
    if (tm) { var t = el("span", "badge " + tm[1], tm[0]); t.dataset.testid = "punctuality"; head.appendChild(t); }
    body.appendChild(head);
    body.appendChild(el("div", "mt-1", i.event));
    if (i.expected_action) body.appendChild(el("div", "small text-muted", T.expected + ": " + i.expected_action + (i.responsible_role ? " · " + T.role + ": " + i.responsible_role : "")));
    if (i.state === "released") body.appendChild(el("div", "small", T.released + " " + fmt.format(new Date(i.released_at)) + " " + T.by + " " + i.released_by));
    if (i.state === "skipped") body.appendChild(el("div", "small", T.skipped + " " + fmt.format(new Date(i.skipped_at)) + " " + T.by + " " + i.skipped_by + ": " + i.skip_reason));
    if (i.state === "pending" && state.open) body.appendChild(actions(i));
    li.appendChild(body);
    return li;
  }
  function actions(i) {
    var box = el("div", "d-flex flex-wrap gap-2 mt-2");
    var rel = el("button", "btn btn-primary btn-lg", T.release); rel.type = "button";
    rel.addEventListener("click", function () { act(cfg.releaseUrl.replace("/0/", "/" + i.id + "/")); });
    var sk = el("button", "btn btn-outline-secondary btn-lg", T.skip); sk.type = "button";
    sk.addEventListener("click", function () {
      box.innerHTML = "";
      var id = "reason-" + i.id;
      var lab = el("label", "form-label w-100 mb-0", T.skipReason); lab.htmlFor = id;
      var input = el("input", "form-control"); input.id = id; input.maxLength = 2000; input.required = true;
      var go = el("button", "btn btn-warning btn-lg", T.confirmSkip); go.type = "button";
      var back = el("button", "btn btn-link", T.cancel); back.type = "button";
      go.addEventListener("click", function () {
        if (!input.value.trim()) { input.focus(); return; }
        act(cfg.skipUrl.replace("/0/", "/" + i.id + "/"), { reason: input.value });
      });
      back.addEventListener("click", render);
      [lab, input, go, back].forEach(function (n) { box.appendChild(n); });
      input.focus();
    });
    box.appendChild(rel); box.appendChild(sk);
    return box;
  }
  function render() {
    if (document.activeElement && document.activeElement.id && document.activeElement.id.indexOf("reason-") === 0) return; // typing a reason
    var list = document.getElementById("injects");
    list.innerHTML = "";
    state.injects.forEach(function (i) { list.appendChild(card(i)); });
    var c = state.counts;
    document.getElementById("counts").textContent = T.counts.replace("{r}", c.released).replace("{s}", c.skipped).replace("{p}", c.pending);
    document.getElementById("closed-note") && document.getElementById("closed-note").classList.toggle("d-none", state.open);
    tick();
  }
  function tick() {
    document.getElementById("clock").textContent = fmt.format(new Date(serverNow()));
    if (!state) return;
    var next = document.getElementById("next");
    var n = state.injects.filter(function (i) { return i.id === state.next_id; })[0];
    if (!n) { next.textContent = T.allDone; next.className = "flex-grow-1"; return; }
    var left = (Date.parse(n.planned_at) - serverNow()) / 1000;
    next.textContent = (left >= 0 ? T.next : T.overdue).replace("{m}", n.offset_minutes).replace("{t}", span(left));
    next.className = "flex-grow-1 fw-bold " + (left < 0 ? "text-danger" : "");
  }

  document.getElementById("add-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target;
    act(cfg.addUrl, {
      event: f.event.value, expected_action: f.expected_action.value,
      responsible_role: f.responsible_role.value, release_now: f.release_now.checked
    }).then(function (ok) { if (ok) f.reset(); });
  });
  offset = Date.parse(cfg.state.server_now) - Date.now();
  state = cfg.state; render();
  setInterval(tick, 1000);
  timer = setTimeout(poll, POLL_MS);
})();
