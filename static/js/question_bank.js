// Question form: show the fields of the chosen type, live preview, image upload.
(function () {
  const form = document.getElementById('question-form');
  if (!form) return;
  const typeSelect = form.querySelector('[name=type]');
  const preview = document.getElementById('question-preview');
  function showFields() {
    form.querySelectorAll('.qb-fields').forEach(function (el) {
      el.hidden = el.dataset.types.split(' ').indexOf(typeSelect.value) === -1;
    });
  }
  let timer = null;
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(form.dataset.previewUrl, { method: 'POST', body: new FormData(form), credentials: 'same-origin' })
        .then(function (r) { return r.text(); })
        .then(function (html) { preview.innerHTML = html; });
    }, 300);
  }
  typeSelect.addEventListener('change', function () { showFields(); refresh(); });
  form.addEventListener('input', refresh);
  showFields();
  refresh();
  const upload = document.getElementById('image-upload');
  if (upload) {
    upload.addEventListener('change', function () {
      if (!upload.files.length) return;
      const data = new FormData();
      data.append('image', upload.files[0]);
      data.append('csrf_token', form.querySelector('[name=csrf_token]') ? form.querySelector('[name=csrf_token]').value : '');
      fetch(upload.dataset.uploadUrl, { method: 'POST', body: data, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.error) { alert(res.error); return; }
          const stem = form.querySelector('[name=stem]');
          stem.value = (stem.value.trim().startsWith('<') ? stem.value : '<p>' + stem.value + '</p>') + res.html;
          refresh();
        });
    });
  }
})();
