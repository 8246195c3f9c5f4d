/* GridReady observation log: notes are queued on the phone (localStorage) with an id made here, and sent
 * until the server has them; a retried send carries the same id, so the server stores each note once
 * (like the exam page's autosave). Photos are scaled down to at most 1600 px before they are queued. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("observe-config").textContent);
  var T = cfg.text;
  var key = "gridready-observations-" + cfg.drillId;
  var offset = Date.parse(cfg.serverNow) - Date.now();
  var queue = load(), sending = false, delay = 2000, retryTimer = null;
  var fmt = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });

  function load() { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function save() { try { localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* full: kept in memory */ } }
  function newId() {
    var a = new Uint8Array(12); (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function alertMsg(text) {
    var a = document.getElementById("note-alert");
    if (!text) { a.classList.add("d-none"); return; }
    a.textContent = text; a.classList.remove("d-none");
  }
  function status() {
    var b = document.getElementById("queue-state");
    if (!queue.length) { b.className = "badge bg-success"; b.textContent = T.saved; return; }
    b.className = "badge bg-warning text-dark";
    b.textContent = sending ? T.sending : T.pending.replace("{n}", queue.length);
  }
  function dataUrlToBlob(url) {
    var parts = url.split(","), bin = atob(parts[1]), arr = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    return new Blob([arr], { type: parts[0].split(":")[1].split(";")[0] });
  }
  function scaled(file) {
    return new Promise(function (resolve) {
      if (!file) { resolve(null); return; }
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () {
          var max = 1600, s = Math.min(1, max / Math.max(img.width, img.height));
          var c = document.createElement("canvas"); c.width = Math.round(img.width * s); c.height = Math.round(img.height * s);
          c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
          resolve(c.toDataURL("image/jpeg", 0.8));
        };
        img.onerror = function () { resolve(reader.result); }; // not decodable here: send as it is, the server decides
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  function send(item) {
    var body = new FormData();
    body.append("client_id", item.client_id); body.append("observed_at", item.observed_at);
    body.append("text", item.text); body.append("step", item.step); body.append("inject_id", item.inject_id);
    item.criteria.forEach(function (c) { body.append("criteria", c); });
    if (item.photo) body.append("photo", dataUrlToBlob(item.photo), "photo.jpg");
    return fetch(cfg.postUrl, { method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": cfg.csrf, "Accept": "application/json" } })
      .then(function (resp) { return resp.json().catch(function () { return {}; }).then(function (d) { return { status: resp.status, data: d }; }); });
  }
  function flush() {
    clearTimeout(retryTimer);
    if (sending || !queue.length) { status(); return; }
    sending = true; status();
    var item = queue[0];
    send(item).then(function (res) {
      sending = false;
      if (res.status === 200 || res.status === 201) {
        queue.shift(); save(); delay = 2000; alertMsg(null); refresh(); flush(); return;
      }
      if (res.status === 400 || res.status === 409 || res.status === 413) {
        // refused (bad input, drill closed): give the text back to the writer rather than lose it
        queue.shift(); save(); alertMsg(T.refused.replace("{error}", res.data.error || res.status));
        if (!text.value) text.value = item.text;
        flush(); return;
      }
      if (res.status === 401 || res.status === 403) { alertMsg(T.signedOut); }
      retry();
    }, function () { sending = false; alertMsg(T.offline); retry(); });
  }
  function retry() { status(); retryTimer = setTimeout(flush, delay); delay = Math.min(delay * 2, 30000); }

  function refresh() {
    fetch(cfg.listUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); }).then(function (data) {
        offset = Date.parse(data.server_now) - Date.now();
        var list = document.getElementById("notes"); list.innerHTML = "";
        queue.forEach(function (q) { list.appendChild(row(q.observed_at, "", q.text, !!q.photo, true)); });
        data.notes.slice().reverse().forEach(function (n) { list.appendChild(row(n.observed_at, n.author, n.text, n.photo, false)); });
      }, function () { /* offline: the list waits */ });
  }
  function row(at, author, text, photo, waiting) {
    var li = el("li", "card mb-2"), b = el("div", "card-body py-2");
    b.appendChild(el("div", "small text-muted", fmt.format(new Date(at)) + (author ? " · " + author : "") + (photo ? " · " + T.photo : "") + (waiting ? " · " + T.waiting : "")));
    b.appendChild(el("div", "", text));
    li.appendChild(b); return li;
  }

  // quick templates
  var sel = document.getElementById("note-step"), box = document.getElementById("templates"), text = document.getElementById("note-text");
  function showTemplates() {
    box.innerHTML = "";
    (cfg.templates[sel.value] || []).forEach(function (t) {
      var b = el("button", "btn btn-outline-secondary btn-sm", t); b.type = "button";
      b.style.minHeight = "44px";
      b.addEventListener("click", function () { text.value = text.value ? text.value + "\n" + t : t; text.focus(); });
      box.appendChild(b);
    });
  }
  sel.addEventListener("change", showTemplates);

  document.getElementById("note-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target, file = f.photo.files[0];
    if (!f.text.value.trim() && !file) { alertMsg(T.empty); return; }
    var item = {
      client_id: newId(), observed_at: new Date(Date.now() + offset).toISOString(), text: f.text.value,
      step: f.step.value, inject_id: f.inject_id.value,
      criteria: Array.prototype.map.call(f.criteria.selectedOptions, function (o) { return o.value; }), photo: null
    };
    scaled(file).then(function (photo) {
      item.photo = photo; queue.push(item); save();
      f.text.value = ""; f.photo.value = ""; Array.prototype.forEach.call(f.criteria.options, function (o) { o.selected = false; });
      alertMsg(null); refresh(); flush();
    });
  });
  window.addEventListener("online", flush);
  showTemplates(); status(); refresh(); flush();
  setInterval(refresh, 10000);
})();
