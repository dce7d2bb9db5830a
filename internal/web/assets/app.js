// kfsui web: the page's script. A directory's table follows the cluster
// over the directory's WebSocket and draws only the rows in view; the
// keys are the terminal UI's, from its keymap (keys.json). Without this
// script the server's own table still works: it is the same data.
"use strict";

(function () {
  const body = document.body;
  if (!body.dataset.dir) return;
  const table = document.querySelector("main table");
  const state = document.querySelector("p.state");
  const filterBox = document.getElementById("filter");
  const rowHeight = 18;
  let dir = null;        // the last directory received
  let shown = [];        // its entries, filtered and sorted
  let selected = 0;      // index into shown
  let sortCol = -1;      // -1: by name as listed
  let sortReverse = false;
  let keys = {};         // key name → action

  fetch("/static/keys.json").then(r => r.json()).then(bindings => {
    for (const [action, names] of Object.entries(bindings || {})) {
      for (const n of names) keys[n] = keys[n] || action;
    }
  });

  // A duration as kubectl prints ages (k8s.io/apimachinery's HumanDuration).
  function human(s) {
    if (s < 0) return "<invalid>";
    const m = Math.floor(s / 60), h = Math.floor(s / 3600), d = Math.floor(s / 86400), y = Math.floor(d / 365);
    if (s < 120) return s + "s";
    if (m < 10) return m + "m" + (s % 60 ? (s % 60) + "s" : "");
    if (m < 180) return m + "m";
    if (h < 8) return h + "h" + (m % 60 ? (m % 60) + "m" : "");
    if (h < 48) return h + "h";
    if (h < 192) return d + "d" + (h % 24 ? (h % 24) + "h" : "");
    if (h < 24 * 365 * 2) return d + "d";
    if (y < 8) return y + "y" + (d % 365 ? (d % 365) + "d" : "");
    return y + "y";
  }

  function cellText(e, i) {
    if (e.since && e.since[i]) return human(Math.floor(Date.now() / 1000) - e.since[i]);
    return e.cells ? e.cells[i] : "";
  }

  function visibleColumns() {
    if (!dir || !dir.columns) return [];
    return dir.columns.map((c, i) => i).filter(i => !dir.priorities || !dir.priorities[i] || body.dataset.wide);
  }

  function refilter() {
    if (!dir) return;
    const q = filterBox.value.toLowerCase();
    shown = dir.entries.filter(e => !q || e.name.toLowerCase().includes(q) ||
      (e.cells || []).some((c, i) => !(e.since && e.since[i]) && c.toLowerCase().includes(q)));
    if (sortCol >= 0) {
      const num = s => { const m = /^-?\d+(\.\d+)?/.exec(s); return m ? parseFloat(m[0]) : NaN; };
      shown.sort((a, b) => {
        const x = cellText(a, sortCol), y = cellText(b, sortCol);
        const nx = a.since && a.since[sortCol] ? -a.since[sortCol] : num(x), ny = b.since && b.since[sortCol] ? -b.since[sortCol] : num(y);
        let c = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        if (c === 0) c = a.name.localeCompare(b.name);
        return sortReverse ? -c : c;
      });
    } else if (sortReverse) {
      shown.reverse();
    }
    selected = Math.max(0, Math.min(selected, shown.length - 1));
  }

  // draw renders the header and the rows in view, with spacers for the
  // rest: 10,000 rows cost what a screenful costs.
  function draw() {
    if (!dir) return;
    const cols = visibleColumns();
    const view = document.scrollingElement;
    const top = Math.max(0, table.offsetTop);
    const first = Math.max(0, Math.floor((view.scrollTop - top) / rowHeight) - 20);
    const count = Math.ceil(window.innerHeight / rowHeight) + 40;
    const last = Math.min(shown.length, first + count);
    const head = document.createElement("thead");
    const hr = head.insertRow();
    if (cols.length) {
      cols.forEach(i => {
        const th = document.createElement("th");
        th.textContent = dir.columns[i] + (i === sortCol ? (sortReverse ? " ↓" : " ↑") : "");
        th.addEventListener("click", () => { sortReverse = sortCol === i ? !sortReverse : false; sortCol = i; refilter(); draw(); });
        hr.appendChild(th);
      });
    }
    const tbody = document.createElement("tbody");
    const spacer = h => { const r = tbody.insertRow(); r.className = "spacer"; r.style.height = h + "px"; };
    if (first > 0) spacer(first * rowHeight);
    for (let k = first; k < last; k++) {
      const e = shown[k];
      const tr = tbody.insertRow();
      tr.className = (e.health || "") + (k === selected ? " selected" : "");
      tr.dataset.index = k;
      if (cols.length) {
        cols.forEach(i => {
          const td = tr.insertCell();
          if (dir.columns[i] === "NAME") {
            const a = document.createElement("a");
            a.href = e.url;
            a.textContent = cellText(e, i);
            td.appendChild(a);
          } else {
            td.textContent = cellText(e, i);
          }
        });
      } else {
        const a = document.createElement("a");
        a.href = e.url;
        a.className = e.dir ? "dir" : "leaf";
        a.textContent = e.name + (e.dir ? "/" : "");
        tr.insertCell().appendChild(a);
        const s = tr.insertCell();
        s.className = "muted";
        s.textContent = e.summary || "";
      }
    }
    if (last < shown.length) spacer((shown.length - last) * rowHeight);
    table.replaceChildren(head, tbody);
    state.textContent = shown.length + (shown.length === dir.entries.length ? "" : " of " + dir.entries.length) +
      " entries" + (dir.loading ? " · loading" : "") + (dir.error ? " · " + dir.error : "");
  }

  function select(k) {
    selected = Math.max(0, Math.min(k, shown.length - 1));
    const y = table.offsetTop + selected * rowHeight, view = document.scrollingElement;
    if (y < view.scrollTop + rowHeight * 2) view.scrollTop = y - rowHeight * 2;
    if (y > view.scrollTop + window.innerHeight - rowHeight * 3) view.scrollTop = y - window.innerHeight + rowHeight * 3;
    draw();
  }

  function keyName(ev) {
    const named = { Enter: "enter", Escape: "esc", ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right",
      PageUp: "pgup", PageDown: "pgdn", Home: "home", End: "end", Tab: "tab", Backspace: "backspace", " ": "space" };
    if (named[ev.key]) return named[ev.key];
    if (ev.ctrlKey && ev.key.length === 1) return "ctrl-" + ev.key.toLowerCase();
    return ev.key;
  }

  document.addEventListener("keydown", ev => {
    if (ev.target === filterBox) {
      if (ev.key === "Escape") { filterBox.value = ""; filterBox.blur(); refilter(); draw(); }
      if (ev.key === "Enter") { filterBox.blur(); }
      return;
    }
    if (ev.altKey || ev.metaKey) return;
    const action = keys[keyName(ev)];
    const page = Math.floor(window.innerHeight / rowHeight) - 3;
    const e = shown[selected];
    switch (action) {
      case "down": select(selected + 1); break;
      case "up": select(selected - 1); break;
      case "page-down": select(selected + page); break;
      case "page-up": select(selected - page); break;
      case "top": select(0); break;
      case "bottom": select(shown.length - 1); break;
      case "open": if (e) location.href = e.url; break;
      case "close": case "back": {
        const up = location.pathname.replace(/\/[^/]*\/?$/, "") || "/";
        location.href = up;
        break;
      }
      case "filter": filterBox.focus(); break;
      case "clear-filter": filterBox.value = ""; refilter(); draw(); break;
      case "sort": sortCol = sortCol + 1 >= (dir.columns || []).length ? -1 : sortCol + 1; refilter(); draw(); break;
      case "sort-reverse": sortReverse = !sortReverse; refilter(); draw(); break;
      case "logs": if (e) location.href = e.url + "/logs"; break;
      case "yank": case "yank-path": if (e && navigator.clipboard) navigator.clipboard.writeText(action === "yank-path" ? e.url : e.name); break;
      default: return;
    }
    ev.preventDefault();
  });
  filterBox.addEventListener("input", () => { refilter(); draw(); });
  table.addEventListener("click", ev => {
    const tr = ev.target.closest("tr[data-index]");
    if (tr && ev.target.tagName !== "A") { selected = +tr.dataset.index; draw(); }
  });
  window.addEventListener("scroll", () => window.requestAnimationFrame(draw), { passive: true });
  window.addEventListener("resize", draw);
  setInterval(() => { if (dir && dir.entries.some(e => e.since)) draw(); }, 1000);

  // The directory's socket: the directory now, then at each change.
  let backoff = 500;
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + location.pathname);
    ws.onmessage = m => {
      backoff = 500;
      const name = shown[selected] && shown[selected].name;
      dir = JSON.parse(m.data);
      refilter();
      const k = shown.findIndex(e => e.name === name);
      if (k >= 0) selected = k;
      body.dataset.live = "1";
      draw();
    };
    ws.onclose = () => {
      body.dataset.live = "";
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  connect();
})();
