/* GridReady self-practice: one question per screen. The answer is posted as JSON; a lost reply is retried
   (with the same position, so the server returns the first answer's result instead of counting twice),
   and the answer is kept in sessionStorage until the server has it. */
(function () {
  "use strict";
  var cfgNode = document.getElementById("practice-config");
  if (!cfgNode) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var form = document.getElementById("practice-form");
  var alertBox = document.getElementById("practice-alert");
  var feedback = document.getElementById("practice-feedback");
  var submit = document.getElementById("practice-submit");
  var storeKey = "practice:" + cfg.answerUrl + ":" + cfg.position;
  var retryDelay = 1000, sending = false;

  function say(text) {
    alertBox.textContent = text || "";
    alertBox.classList.toggle("d-none", !text);
  }

  function read() {
    var type = form.dataset.type;
    if (type === "single" || type === "multiple") {
      var picked = Array.prototype.slice.call(form.querySelectorAll('input[name="q"]:checked')).map(function (i) { return i.value; });
      return picked.length ? { choice: picked } : null;
    }
    if (type === "truefalse") {
      var c = form.querySelector('input[name="q"]:checked');
      return c ? { answer: c.value === "true" } : null;
    }
    if (type === "fill") {
      var blanks = [], any = false;
      form.querySelectorAll(".qb-blank").forEach(function (b) {
        var n = +b.name.split("_blank_")[1];
        blanks[n - 1] = b.value; if (b.value.trim()) any = true;
      });
      for (var i = 0; i < blanks.length; i++) if (blanks[i] === undefined) blanks[i] = "";
      return any ? { blanks: blanks } : null;
    }
    if (type === "numerical") {
      var v = form.querySelector('input[name="q"]').value;
      return v.trim() ? { value: v } : null;
    }
    if (type === "matching") {
      var pairs = [], chosen = false;
      form.querySelectorAll('select[name^="q_match_"]').forEach(function (s) {
        pairs[+s.name.split("q_match_")[1]] = s.value || null; if (s.value) chosen = true;
      });
      return chosen ? { pairs: pairs } : null;
    }
    return null;
  }

  function lock() {
    form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
  }

  function done(data) {
    sessionStorage.removeItem(storeKey);
    if (data.html) {
      feedback.innerHTML = data.html;
      var next = document.getElementById("practice-next");
      if (next) next.focus();
    } else {
      say(cfg.t.saved);
      location.href = data.next_url;
    }
  }

  function send(response) {
    if (sending) return;
    sending = true;
    fetch(cfg.answerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ position: cfg.position, response: response })
    }).then(function (res) {
      return res.json().then(function (data) { return { status: res.status, data: data }; });
    }).then(function (res) {
      sending = false;
      if (res.status === 200) { say(null); retryDelay = 1000; done(res.data); return; }
      if (res.status === 409) { sessionStorage.removeItem(storeKey); location.href = cfg.endUrl; return; }
      if (res.status >= 500) throw new Error("server");
      sessionStorage.removeItem(storeKey);
      say(res.data.error || "");
      if (res.status === 400) { form.querySelectorAll("input, select, button").forEach(function (el) { el.disabled = false; }); }
    }).catch(function () {
      sending = false;
      say(cfg.t.offline);
      setTimeout(function () { send(response); }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 15000);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var response = read();
    if (!response) { say(cfg.t.choose); return; }
    sessionStorage.setItem(storeKey, JSON.stringify(response));
    lock();
    send(response);
  });

  // An answer the server never confirmed (the page was reloaded while offline) is sent again.
  var kept = sessionStorage.getItem(storeKey);
  if (kept) { lock(); send(JSON.parse(kept)); }
  window.addEventListener("online", function () { retryDelay = 1000; });

  var clock = document.getElementById("practice-clock");
  if (clock) {
    var end = Date.now() + (+clock.dataset.seconds) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left <= 0) { say(cfg.t.timeUp); location.href = cfg.endUrl; return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
  if (submit) submit.disabled = false;
})();
