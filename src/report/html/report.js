// chiso HTML report: sortable tables, the findings filter, details opened for printing.
// No network, no libraries; the page reads fully without this script.
(function () {
  'use strict';

  function sortKey(cell, type) {
    var raw = cell ? cell.getAttribute('data-sort') : null;
    if (raw === null) { raw = cell ? cell.textContent.trim() : ''; }
    if (raw === '') { return null; }
    if (type === 'number') {
      var n = parseFloat(raw);
      return isNaN(n) ? null : n;
    }
    return raw;
  }

  function sortTable(table, index, th) {
    var type = th.getAttribute('data-type');
    var current = th.getAttribute('aria-sort');
    var dir = current === 'ascending' ? 'descending'
      : current === 'descending' ? 'ascending'
      : (th.getAttribute('data-first') || 'ascending');
    Array.prototype.forEach.call(th.parentNode.cells, function (other) {
      other.removeAttribute('aria-sort');
    });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'ascending' ? 1 : -1;
    rows.sort(function (a, b) {
      var x = sortKey(a.cells[index], type);
      var y = sortKey(b.cells[index], type);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }   // values that are missing stay last
      if (y === null) { return -1; }
      if (type === 'number') { return sign * (x - y); }
      return sign * String(x).localeCompare(String(y), 'vi');
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.querySelectorAll('table.sortable').forEach(function (table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.hasAttribute('data-type')) { return; }
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortTable(table, index, th); });
      th.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          sortTable(table, index, th);
        }
      });
    });
  });

  var findings = document.getElementById('findings');
  if (findings) {
    var buttons = findings.querySelectorAll('[data-filter]');
    var search = document.getElementById('finding-search');
    var shown = findings.querySelector('.shown');
    var status = 'all';
    var apply = function () {
      var needle = search ? search.value.trim().toLowerCase() : '';
      var visible = 0;
      findings.querySelectorAll('section.rule').forEach(function (rule) {
        var any = false;
        rule.querySelectorAll('tbody tr').forEach(function (row) {
          var ok = (status === 'all' || row.getAttribute('data-status') === status) &&
            (needle === '' || row.textContent.toLowerCase().indexOf(needle) !== -1);
          row.hidden = !ok;
          if (ok) { any = true; visible += 1; }
        });
        rule.hidden = !any;
      });
      buttons.forEach(function (b) {
        b.setAttribute('aria-pressed', String(b.getAttribute('data-filter') === status));
      });
      if (shown) { shown.textContent = visible + ' shown'; }
    };
    buttons.forEach(function (b) {
      b.addEventListener('click', function () {
        status = b.getAttribute('data-filter');
        apply();
      });
    });
    if (search) { search.addEventListener('input', apply); }
    apply();
  }

  // Printing shows everything: closed sections are opened, and closed again afterwards.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open])').forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());
