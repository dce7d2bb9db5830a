// kfsui web: the page's script. A directory's table follows the cluster
// over the directory's WebSocket and draws only the rows in view; the
// keys are the terminal UI's, from its keymap (keys.json). Without this
// script the server's own table still works: it is the same data.
"use strict";

// keyName is a key event as keymap files write keys.
function keyName(ev) {
  const named = { Enter: "enter", Escape: "esc", ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right",
    PageUp: "pgup", PageDown: "pgdn", Home: "home", End: "end", Tab: "tab", Backspace: "backspace", " ": "space" };
  if (named[ev.key]) return named[ev.key];
  if (ev.ctrlKey && ev.key.length === 1) return "ctrl-" + ev.key.toLowerCase();
  return ev.key;
}

// loadKeys fetches the keymap and returns a function from a key event to
// the first action among actions bound to its key.
function loadKeys(actions) {
  let bindings = {};
  fetch("/static/keys.json").then(r => r.json()).then(b => { bindings = b || {}; });
  return ev => actions.find(a => (bindings[a] || []).includes(keyName(ev)));
}

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
  const actionOf = loadKeys(["down", "up", "page-down", "page-up", "top", "bottom", "open", "close", "back", "filter",
    "clear-filter", "sort", "sort-reverse", "yank", "yank-path", "merged-logs"]);

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
          if (i === (dir.nameColumn || 0)) {
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

  document.addEventListener("keydown", ev => {
    if (ev.target === filterBox) {
      if (ev.key === "Escape") { filterBox.value = ""; filterBox.blur(); refilter(); draw(); }
      if (ev.key === "Enter") { filterBox.blur(); }
      return;
    }
    if (ev.altKey || ev.metaKey) return;
    const action = actionOf(ev);
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
      case "merged-logs": if (e && e.dir) location.href = e.url + "/logs?pane"; break;
      case "sort": sortCol = sortCol + 1 >= (dir.columns || []).length ? -1 : sortCol + 1; refilter(); draw(); break;
      case "sort-reverse": sortReverse = !sortReverse; refilter(); draw(); break;
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

// The log pane: a .log leaf's log, or a logs/ directory's merged, over
// its socket; bounded, with follow/pause, filter, timestamps, wrap and
// download, as the terminal's panes.
(function () {
  const body = document.body;
  if (!body.dataset.log) return;
  const max = 50000;       // lines kept; older ones are evicted
  const pre = document.getElementById("log");
  const info = document.getElementById("loginfo");
  const status = document.getElementById("logstate");
  const filterBox = document.getElementById("filter");
  const followBtn = document.getElementById("follow");
  const stampsBtn = document.getElementById("stamps");
  const wrapBtn = document.getElementById("wrap");
  const download = document.getElementById("download");
  let lines = [];          // {ts, src, line}
  let evicted = 0, dropped = 0;
  let following = true, stamps = false, wrap = false;
  let pending = false;
  const actionOf = loadKeys(["follow", "timestamps", "wrap", "filter", "clear-filter", "save", "back", "close", "top", "bottom"]);

  function text(l) { return (stamps ? l.ts + " " : "") + (l.src ? l.src + " " : "") + l.line; }

  function draw() {
    pending = false;
    const q = filterBox.value.toLowerCase();
    const shown = q ? lines.filter(l => text(l).toLowerCase().includes(q)) : lines;
    pre.textContent = shown.map(text).join("\n");
    pre.className = wrap ? "wrap" : "";
    info.textContent = shown.length + (q ? " of " + lines.length : "") + " lines" +
      (evicted ? " · " + evicted + " evicted" : "") + (dropped ? " · " + dropped + " dropped by the server" : "");
    followBtn.textContent = following ? "following" : "paused";
    stampsBtn.className = stamps ? "" : "off";
    wrapBtn.className = wrap ? "" : "off";
    if (following) document.scrollingElement.scrollTop = document.scrollingElement.scrollHeight;
  }
  function later() { if (!pending) { pending = true; window.requestAnimationFrame(draw); } }

  function toggle(what) {
    if (what === "follow") following = !following;
    if (what === "timestamps") stamps = !stamps;
    if (what === "wrap") wrap = !wrap;
    draw();
  }
  followBtn.addEventListener("click", () => toggle("follow"));
  stampsBtn.addEventListener("click", () => toggle("timestamps"));
  wrapBtn.addEventListener("click", () => toggle("wrap"));
  download.addEventListener("click", () => {
    download.href = URL.createObjectURL(new Blob([lines.map(text).join("\n") + "\n"], { type: "text/plain" }));
  });
  filterBox.addEventListener("input", later);
  document.addEventListener("keydown", ev => {
    if (ev.target === filterBox) {
      if (ev.key === "Escape") { filterBox.value = ""; filterBox.blur(); later(); }
      if (ev.key === "Enter") filterBox.blur();
      return;
    }
    switch (actionOf(ev)) {
      case "follow": toggle("follow"); break;
      case "timestamps": toggle("timestamps"); break;
      case "wrap": toggle("wrap"); break;
      case "filter": filterBox.focus(); break;
      case "clear-filter": filterBox.value = ""; later(); break;
      case "save": download.click(); break;
      case "top": following = false; document.scrollingElement.scrollTop = 0; draw(); break;
      case "bottom": following = true; draw(); break;
      case "back": case "close": location.href = location.pathname.replace(/\/[^/]*\/?$/, "") || "/"; break;
      default: return;
    }
    ev.preventDefault();
  });

  // The socket; after a drop, resumed from the last line's time.
  let backoff = 500, ended = false;
  function connect() {
    let query = "follow&tailLines=1000";
    if (lines.length) {
      const last = lines[lines.length - 1].ts;
      let same = 0;
      for (let k = lines.length - 1; k >= 0 && lines[k].ts === last; k--) same++;
      query = "follow&since=" + encodeURIComponent(last) + "&sinceCount=" + same;
    }
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + location.pathname + "?" + query);
    ws.onmessage = m => {
      backoff = 500;
      const f = JSON.parse(m.data);
      if (f.ts) {
        lines.push({ ts: f.ts, src: f.src || "", line: f.line || "" });
        if (lines.length > max + 1000) { evicted += lines.length - max; lines = lines.slice(lines.length - max); }
      } else if (f.dropped) {
        dropped += f.dropped;
      } else if (f.state) {
        status.textContent = (f.src ? f.src + ": " : "") + f.state + (f.detail ? ": " + f.detail : "");
        if (f.state === "ended" && !f.src) ended = true;
      }
      body.dataset.live = "1";
      later();
    };
    ws.onclose = ev => {
      body.dataset.live = "";
      if (ended || ev.code === 1000) { status.textContent = "ended"; return; }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  connect();
})();
