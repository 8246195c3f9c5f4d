/* GridReady exam runtime: autosave with sequence numbers, local backup, retry, server-synced countdown.
 * The server is the authority: it keeps the highest sequence number per question and says what it kept.
 * Sequence numbers are milliseconds since the attempt started on the server's clock (estimated from the
 * offset measured at each response), so two tabs or two devices agree on which answer is newer. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("exam-config").textContent);
  var T = cfg.text;
  var storeKey = "gridready-exam-" + cfg.attemptId;
  var sections = Array.prototype.slice.call(document.querySelectorAll("#paper .q"));
  var paper = document.getElementById("paper");
  var state = {}; // position -> {seq, response, dirty, bad}
  var offset = Date.parse(cfg.serverNow) - Date.now(); // server time = Date.now() + offset
  var deadline = Date.parse(cfg.deadline);
  var started = Date.parse(cfg.startedAt);
  var current = 0;
  var flushing = null, lastFailure = null, retryDelay = 2000, retryTimer = null, closed = false, submitting = false;
  var lastSeq = 0;
  var announced = { save: T.saved, minutes: null };

  function serverNow() { return Date.now() + offset; }
  function nextSeq() {
    var s = Math.max(lastSeq + 1, Math.floor(serverNow() - started) + 1);
    lastSeq = s;
    return s;
  }
  function loadLocal() { try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; } }
  function saveLocal() {
    var pending = {};
    Object.keys(state).forEach(function (p) { if (state[p].dirty) pending[p] = { seq: state[p].seq, response: state[p].response }; });
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* storage full or private mode */ }
  }

  // ---- reading and writing one question's inputs
  function read(sec) {
    var type = sec.dataset.type, name = "q" + sec.dataset.position;
    if (type === "single" || type === "multiple") {
      var picked = Array.prototype.slice.call(sec.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
      return { choice: picked };
    }
    if (type === "truefalse") {
      var c = sec.querySelector('input[name="' + name + '"]:checked');
      return { answer: c ? c.value === "true" : null };
    }
    if (type === "fill") {
      var blanks = [];
      sec.querySelectorAll(".blank").forEach(function (b) { blanks[+b.dataset.blank] = b.value; });
      for (var i = 0; i < blanks.length; i++) if (blanks[i] === undefined) blanks[i] = "";
      return { blanks: blanks };
    }
    if (type === "numerical") return { value: sec.querySelector(".numeric").value };
    if (type === "matching") {
      var pairs = [];
      sec.querySelectorAll(".match").forEach(function (s) { pairs[+s.dataset.index] = s.value || null; });
      return { pairs: pairs };
    }
    if (type === "essay") return { text: sec.querySelector(".essay").value };
    return null;
  }
  function write(sec, r) {
    if (!r) return;
    var type = sec.dataset.type, name = "q" + sec.dataset.position;
    if (type === "single" || type === "multiple") {
      sec.querySelectorAll('input[name="' + name + '"]').forEach(function (i) { i.checked = (r.choice || []).indexOf(i.value) >= 0; });
    } else if (type === "truefalse") {
      sec.querySelectorAll('input[name="' + name + '"]').forEach(function (i) { i.checked = r.answer !== null && r.answer !== undefined && String(r.answer) === i.value; });
    } else if (type === "fill") {
      sec.querySelectorAll(".blank").forEach(function (b) { b.value = (r.blanks || [])[+b.dataset.blank] || ""; });
    } else if (type === "numerical") {
      sec.querySelector(".numeric").value = r.value || "";
    } else if (type === "matching") {
      sec.querySelectorAll(".match").forEach(function (s) { s.value = (r.pairs || [])[+s.dataset.index] || ""; });
    } else if (type === "essay") {
      sec.querySelector(".essay").value = r.text || "";
    }
  }
  function answered(type, r) {
    if (!r) return false;
    if (type === "single" || type === "multiple") return (r.choice || []).length > 0;
    if (type === "truefalse") return r.answer === true || r.answer === false;
    if (type === "fill") return (r.blanks || []).some(function (b) { return b && b.trim(); });
    if (type === "numerical") return !!(r.value && String(r.value).trim());
    if (type === "matching") return (r.pairs || []).some(function (p) { return !!p; });
    if (type === "essay") return !!(r.text && r.text.trim());
    return false;
  }

  // ---- status display
  function render() {
    var unsaved = 0, nav = document.getElementById("navigator");
    nav.innerHTML = "";
    sections.forEach(function (sec, idx) {
      var p = sec.dataset.position, s = state[p], type = sec.dataset.type;
      if (type === "description") return;
      var b = document.createElement("button");
      b.type = "button";
      var isAnswered = answered(type, s.response);
      // The state is in a mark and in words too, never in the colour alone.
      b.innerHTML = p + '<span class="mark" aria-hidden="true">' + (s.dirty ? "!" : (isAnswered ? "✓" : "")) + "</span>";
      b.className = "btn btn-sm " + (s.dirty ? "btn-warning" : (isAnswered ? "btn-primary" : "btn-outline-secondary")) + (idx === current ? " current" : "");
      b.title = s.dirty ? T.unsavedOne : (isAnswered ? T.answered : T.unanswered);
      b.setAttribute("aria-label", T.question.replace("{n}", p) + ": " + b.title);
      if (idx === current) b.setAttribute("aria-current", "step");
      b.addEventListener("click", function () { show(idx, true, true); });
      nav.appendChild(b);
      if (s.dirty) unsaved++;
      var label = sec.querySelector(".q-state");
      if (label) label.textContent = s.bad ? T.bad + " " + s.bad : (s.dirty ? T.unsavedOne : (isAnswered ? T.answered : T.unanswered));
    });
    var badge = document.getElementById("save-state");
    if (unsaved === 0) { badge.className = "badge bg-success"; badge.textContent = T.saved; }
    else if (flushing) { badge.className = "badge bg-info text-dark"; badge.textContent = T.saving; }
    else { badge.className = "badge bg-warning text-dark"; badge.textContent = T.unsaved.replace("{n}", unsaved); }
    badge.title = badge.textContent;  // the badge has a fixed width: its whole text on a long press
    // A screen reader hears the save state when it changes between saved and unsaved, not each "saving".
    if (!flushing || unsaved === 0) {
      var said = unsaved === 0 ? T.saved : T.unsaved.replace("{n}", unsaved);
      if (said !== announced.save) { announced.save = said; announce(said); }
    }
  }
  function announce(text) { document.getElementById("exam-announce").textContent = text; }
  function alertMsg(text) {
    var el = document.getElementById("exam-alert");
    if (!text) { el.classList.add("d-none"); return; }
    el.textContent = text; el.classList.remove("d-none");
  }
  // ``focus``: the keyboard moved to another question (上一题/下一题, the navigator): its heading takes the
  // focus, so a screen reader reads where it is and Tab goes on to its answer.
  function show(idx, scroll, focus) {
    current = Math.max(0, Math.min(sections.length - 1, idx));
    sections.forEach(function (s, i) { s.classList.toggle("current", i === current); });
    if (focus) { var head = sections[current].querySelector("h2[tabindex]"); if (head) head.focus({ preventScroll: true }); }
    if (scroll) sections[current].scrollIntoView({ behavior: "smooth", block: "start" });
    render();
  }

  // ---- saving
  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf, "Accept": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, data: data }; });
    });
  }
  function changed(sec) {
    var p = sec.dataset.position;
    state[p].response = read(sec);
    state[p].seq = nextSeq();
    state[p].dirty = true;
    state[p].bad = null;
    saveLocal();
    render();
  }
  function scheduleFlush(delay) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delay);
  }
  // Sends every pending answer; while a send is running, a second call waits for it and then sends
  // what is still pending, so a caller can rely on the returned promise (submit waits on it).
  function flush() {
    if (closed) return Promise.resolve();
    if (flushing) return flushing.then(flush);
    var queue = Object.keys(state).filter(function (p) { return state[p].dirty && !state[p].bad; });
    if (!queue.length) return Promise.resolve();
    clearTimeout(retryTimer);
    var chain = Promise.resolve(true);
    queue.forEach(function (p) {
      chain = chain.then(function (ok) {
        if (!ok || closed) return false;
        var s = state[p], sentSeq = s.seq;
        return request("PUT", cfg.saveUrl + p, { seq: sentSeq, response: s.response }).then(function (res) {
          if (res.status === 200) {
            if (res.data.seq > sentSeq || !res.data.saved && res.data.seq >= sentSeq) {
              // A newer answer (another tab or device) is on the server: show it.
              if (state[p].seq <= res.data.seq) {
                s.response = res.data.response; s.seq = res.data.seq; s.dirty = false;
                write(document.getElementById("q" + p), s.response);
              }
            } else if (state[p].seq === sentSeq) {
              s.dirty = false; // no newer local edit meanwhile
            }
            lastSeq = Math.max(lastSeq, res.data.seq);
            return true;
          }
          if (res.status === 409) { closed = true; alertMsg(res.data.error || T.closed); setTimeout(function () { location.href = cfg.resultUrl; }, 2500); return false; }
          if (res.status === 400) { s.bad = res.data.error || "?"; return true; }
          if (res.status === 401 || res.status === 403 || res.status === 302) { alertMsg(T.signedOut); return false; }
          lastFailure = "server";
          return false; // 5xx: retry later
        }, function () { lastFailure = "network"; return false; });
      });
    });
    flushing = chain.then(function (ok) {
      flushing = null; saveLocal(); render();
      if (ok) { retryDelay = 2000; lastFailure = null; alertMsg(null); }
      else if (!closed) {
        if (!navigator.onLine) alertMsg(T.offline);
        scheduleFlush(retryDelay); retryDelay = Math.min(retryDelay * 2, 30000);
      }
      var more = Object.keys(state).some(function (p) { return state[p].dirty && !state[p].bad; });
      if (ok && more) scheduleFlush(50);
    });
    render();
    return flushing;
  }

  // ---- timer (announced politely when the page opens and at these minutes left, never each second)
  var MINUTE_MARKS = [30, 15, 5, 1];
  function tick() {
    var left = Math.max(0, Math.floor((deadline - serverNow()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    document.getElementById("timer").textContent = (h ? h + ":" : "") + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    var minutes = Math.ceil(left / 60);
    if (left > 0 && (announced.minutes === null || MINUTE_MARKS.indexOf(minutes) >= 0 && minutes !== announced.minutes)) {
      announced.minutes = minutes;
      announce(minutes === 1 ? T.oneMinuteLeft : T.minutesLeft.replace("{n}", minutes));
    }
    if (left <= 10 && left > 0) flush();
    if (left === 0 && !submitting && !closed) { alertMsg(T.timeUp); doSubmit(); }
  }
  // The clock, the status (collected, reopened, extra time) and the invigilator's messages, every 15 s.
  var lastMessage = 0;
  function sync() {
    var sent = Date.now();
    request("GET", cfg.timeUrl + "?after=" + lastMessage).then(function (res) {
      if (res.status !== 200) return;
      var rtt = Date.now() - sent;
      offset = Date.parse(res.data.server_now) + rtt / 2 - Date.now();
      deadline = Date.parse(res.data.deadline);
      (res.data.messages || []).forEach(showMessage);
      if (res.data.status !== "open") { closed = true; location.href = cfg.resultUrl; }
    }, function () { /* offline: keep counting on the last offset */ });
  }
  function showMessage(m) {
    lastMessage = Math.max(lastMessage, m.id);
    var box = document.createElement("div");
    box.className = "alert alert-info alert-dismissible";
    box.setAttribute("role", "alert");
    box.dataset.message = m.id;
    var head = document.createElement("strong"); head.textContent = T.fromInvigilator + ": ";
    var body = document.createElement("span"); body.textContent = m.body;
    var close = document.createElement("button"); close.type = "button"; close.className = "btn-close";
    close.setAttribute("aria-label", T.dismiss);
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(head); box.appendChild(body); box.appendChild(close);
    document.getElementById("exam-messages").appendChild(box);
  }

  // ---- integrity signals (each only when the exam asks for it; deterrents, not proof)
  var lastFocus = 0;
  function focusLost(kind) {
    if (!cfg.logFocus || closed || submitting || Date.now() - lastFocus < 1000) return;
    lastFocus = Date.now(); // a hidden tab also blurs the window: one event
    request("POST", cfg.focusUrl, { kind: kind }).then(function (res) {
      if (res.status !== 200) return;
      if (res.data.collected) { closed = true; location.href = cfg.resultUrl; return; }
      if (res.data.warn) alertMsg(T.focusWarn.replace("{n}", res.data.count));
    }, function () { /* offline: not logged */ });
  }
  if (cfg.logFocus) {
    document.addEventListener("visibilitychange", function () { if (document.hidden) focusLost("hidden"); });
    window.addEventListener("blur", function () { focusLost("blur"); });
  }
  if (cfg.blockCopy) {
    ["copy", "cut", "paste", "contextmenu"].forEach(function (name) {
      paper.addEventListener(name, function (e) { e.preventDefault(); alertMsg(T.blocked); });
    });
  }
  var fsBtn = document.getElementById("fullscreen-btn");
  function askFullscreen() {
    var el = document.documentElement;
    if (el.requestFullscreen && !document.fullscreenElement) el.requestFullscreen().catch(function () { /* refused */ });
  }
  if (cfg.askFullscreen && fsBtn) {
    fsBtn.addEventListener("click", askFullscreen);
    // Browsers allow full screen only from a user gesture: the first tap on the paper asks once.
    paper.addEventListener("click", function once() { paper.removeEventListener("click", once); askFullscreen(); });
  }
  function doSubmit() {
    submitting = true;
    return flush().then(function () {
      return request("POST", cfg.submitUrl);
    }).then(function (res) {
      if (res.status === 200 || res.status === 409) {
        try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
        location.href = (res.data && res.data.result_url) || cfg.resultUrl;
      } else { submitting = false; alertMsg(T.offline); }
    }, function () { submitting = false; alertMsg(T.offline); setTimeout(doSubmit, 5000); });
  }

  // ---- start
  var local = loadLocal();
  sections.forEach(function (sec, idx) {
    var p = sec.dataset.position;
    state[p] = { seq: cfg.seqs[idx] || 0, response: cfg.answers[idx], dirty: false, bad: null };
    lastSeq = Math.max(lastSeq, state[p].seq);
    if (local[p] && local[p].seq > state[p].seq) {
      state[p].seq = local[p].seq; state[p].response = local[p].response; state[p].dirty = true;
      lastSeq = Math.max(lastSeq, local[p].seq);
    }
    write(sec, state[p].response);
    sec.addEventListener("change", function () { changed(sec); scheduleFlush(100); });
    sec.addEventListener("input", function (e) {
      if (e.target.matches("input[type=text], textarea")) { changed(sec); scheduleFlush(800); }
    });
    var prev = sec.querySelector(".prev"), next = sec.querySelector(".next");
    if (prev) prev.addEventListener("click", function () { show(idx - 1, true, true); });
    if (next) next.addEventListener("click", function () { show(idx + 1, true, true); });
  });
  var mode = localStorage.getItem("gridready-exam-mode") || (window.innerWidth < 768 ? "one" : "all");
  function setMode(m) {
    mode = m; paper.classList.toggle("exam-one", m === "one");
    document.querySelectorAll(".step-buttons .prev, .step-buttons .next").forEach(function (b) { b.classList.toggle("d-none", m !== "one"); });
    var btn = document.getElementById("toggle-mode");
    btn.textContent = m === "one" ? btn.dataset.one : btn.dataset.all;
    try { localStorage.setItem("gridready-exam-mode", m); } catch (e) { /* ignore */ }
  }
  document.getElementById("toggle-mode").addEventListener("click", function () { setMode(mode === "one" ? "all" : "one"); });
  // Before asking, the answer typed a moment ago (its save still waiting on the typing pause) is sent;
  // only what is unsaved after that is warned about, with its cause.
  function confirmText() {
    var unanswered = 0, unsent = 0, refused = 0;
    sections.forEach(function (sec) {
      var s = state[sec.dataset.position];
      if (sec.dataset.type !== "description" && !answered(sec.dataset.type, s.response)) unanswered++;
      if (s.bad) refused++;
      else if (s.dirty) unsent++;
    });
    if (refused) return T.confirmRefused.replace("{n}", refused);
    if (unsent) return (lastFailure === "server" ? T.confirmServer : T.confirmUnsaved).replace("{n}", unsent);
    return unanswered ? T.confirmUnanswered.replace("{n}", unanswered) : T.confirm;
  }
  var submitBtn = document.getElementById("submit-btn");
  submitBtn.addEventListener("click", function () {
    if (submitting || closed) return;
    submitBtn.disabled = true;
    flush().then(function () {
      submitBtn.disabled = false;
      if (!closed && window.confirm(confirmText())) doSubmit();
    });
  });
  window.addEventListener("online", function () { retryDelay = 2000; flush(); });
  window.addEventListener("offline", function () { alertMsg(T.offline); });
  window.addEventListener("beforeunload", function (e) {
    if (!closed && Object.keys(state).some(function (p) { return state[p].dirty; })) { e.preventDefault(); e.returnValue = ""; }
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { sync(); flush(); } });
  setMode(mode);
  show(0, false);
  tick(); setInterval(tick, 1000);
  sync(); setInterval(sync, 15000);
  flush();
})();
