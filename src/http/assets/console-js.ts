/**
 * The console's one script, for progressive enhancement only: every page works without it. It follows a running
 * run (polls its JSON every 2 s and updates the progress shown, then reloads once it has ended) and asks before an
 * irreversible form is sent.
 */
export const CONSOLE_JS = `'use strict';
(function () {
  function follow(el) {
    var url = el.getAttribute('data-poll');
    function set(name, value) {
      var nodes = el.querySelectorAll('[data-field="' + name + '"]');
      for (var i = 0; i < nodes.length; i++) nodes[i].textContent = value;
    }
    function tick() {
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (run) {
          if (!run) return setTimeout(tick, 2000);
          var p = run.progress || { total: 0, done: 0 };
          var bar = el.querySelector('progress');
          if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.done; }
          set('done', String(p.done));
          set('total', String(p.total));
          set('rate', p.recordsPerSecond ? p.recordsPerSecond.toFixed(2) : '0');
          set('eta', p.etaSeconds === undefined ? '–' : Math.round(p.etaSeconds) + ' s');
          set('status', el.getAttribute('data-status-' + run.status) || run.status);
          if (run.status !== 'running') { location.reload(); return; }
          setTimeout(tick, 2000);
        })
        .catch(function () { setTimeout(tick, 2000); });
    }
    setTimeout(tick, 2000);
  }
  var polled = document.querySelectorAll('[data-poll]');
  for (var i = 0; i < polled.length; i++) follow(polled[i]);
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
`;
