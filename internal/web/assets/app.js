// kfsui web: the page's script. A directory's table follows the cluster
// over the directory's WebSocket and draws only the rows in view; log
// panes follow their logs over theirs. The keys are the terminal UI's,
// from its keymap (keys.json). Without this script the server's own table
// and leaves still work: they are the same data.
"use strict";

const body = document.body;

// keyName is a key event as keymap files write keys.
function keyName(ev) {
  const named = { Enter: "enter", Escape: "esc", ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right",
    PageUp: "pgup", PageDown: "pgdn", Home: "home", End: "end", Tab: "tab", Backspace: "backspace", " ": "space" };
  if (named[ev.key]) return named[ev.key];
  if (ev.ctrlKey && ev.key.length === 1) return "ctrl-" + ev.key.toLowerCase();
  return ev.key;
}

// The keymap, by scope ("tree", "viewer", "log"), then action.
let keymap = {};
fetch("/static/keys.json").then(r => r.json()).then(k => { keymap = k || {}; });

// actionOf is the first of actions bound to the key of ev in scope.
function actionOf(scope, ev, actions) {
  const bindings = keymap[scope] || {}, key = keyName(ev);
  return actions.find(a => (bindings[a] || []).includes(key));
}

// typing reports whether a key goes to a text field rather than to us.
function typing(ev) {
  return ev.target instanceof HTMLInputElement || ev.altKey || ev.metaKey;
}

const flashBox = document.getElementById("flash");
let flashTimer = 0;
function flash(msg, bad) {
  flashBox.textContent = msg;
  flashBox.className = bad ? "failing" : "muted";
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { flashBox.textContent = ""; }, bad ? 8000 : 4000);
}

// parentOf is the URL of the directory above a path's URL.
function parentOf(path) {
  return path.replace(/\/[^/]*\/?$/, "") || "/";
}

function socketURL(path, query) {
  return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path + (query ? "?" + query : "");
}

// isLogURL reports whether a URL streams logs: a .log leaf or a logs/
// directory.
function isLogURL(u) {
  return /\.log$/.test(u) || /\/logs\/?$/.test(u);
}

// copy puts text on the clipboard, and says so.
function copy(text, what) {
  if (!navigator.clipboard) { flash("the browser gives no clipboard here (it needs https or localhost)", true); return; }
  navigator.clipboard.writeText(text).then(() => flash("copied " + what), () => flash("the browser refused the clipboard", true));
}

// d marks a leaf; d on another leaf shows their diff. D diffs a leaf with
// the same path in every other context served.
function diffMark(url) {
  const mark = sessionStorage.getItem("kfsui-diff");
  if (!mark || mark === url) {
    sessionStorage.setItem("kfsui-diff", url);
    flash("marked " + url + " for a diff: d on another leaf shows their diff");
    return;
  }
  sessionStorage.removeItem("kfsui-diff");
  location.href = "/-/diff?" + new URLSearchParams({ a: mark, b: url });
}
function diffAcross(url) {
  location.href = "/-/diff?" + new URLSearchParams({ a: url, across: "" });
}

// The jump bar: a path, a resource (deploy web), CONTEXT:/path, ctx NAME
// or grep RE, with Tab completion and the inputs used before on up and
// down, as the terminal UI's.
const jump = (function () {
  const input = document.getElementById("jump");
  const list = document.getElementById("completions");
  const history = JSON.parse(localStorage.getItem("kfsui-jumps") || "[]");
  let pos = history.length;
  let onLog = null; // set by log panes: a log URL jumped to opens a pane
  function hide() { list.hidden = true; list.textContent = ""; }
  function open() { input.value = ""; pos = history.length; input.focus(); }
  function at() { return location.pathname === "/-/logs" ? "/" : location.pathname; }
  async function complete() {
    const r = await fetch("/-/complete?" + new URLSearchParams({ q: input.value, at: at() }));
    if (!r.ok) { flash(await r.text(), true); return; }
    const c = await r.json();
    if (!c.matches.length) { flash("no completion for " + input.value.slice(c.prefix.length), true); hide(); return; }
    input.value = c.prefix + (c.matches.length === 1 ? c.matches[0] : c.common);
    if (c.matches.length === 1) { hide(); return; }
    list.replaceChildren(...c.matches.slice(0, 200).map(m => {
      const s = document.createElement("span");
      s.textContent = m;
      s.addEventListener("mousedown", ev => { ev.preventDefault(); input.value = c.prefix + m; hide(); input.focus(); });
      return s;
    }));
    list.hidden = false;
  }
  async function go() {
    const text = input.value.trim();
    hide();
    if (!text) { input.blur(); return; }
    history.push(text);
    localStorage.setItem("kfsui-jumps", JSON.stringify(history.slice(-100)));
    const r = await fetch("/-/jump?" + new URLSearchParams({ q: text, at: at(), json: "" }));
    if (!r.ok) { flash((await r.text()).trim(), true); return; }
    const to = (await r.json()).url;
    input.value = "";
    input.blur();
    if (onLog && isLogURL(to)) onLog(to);
    else location.href = to;
  }
  input.addEventListener("keydown", ev => {
    switch (ev.key) {
      case "Tab": complete(); break;
      case "Enter": go(); break;
      case "Escape": input.value = ""; hide(); input.blur(); break;
      case "ArrowUp": if (pos > 0) input.value = history[--pos]; break;
      case "ArrowDown": pos = Math.min(pos + 1, history.length); input.value = history[pos] || ""; break;
      default: return;
    }
    ev.preventDefault();
  });
  input.addEventListener("blur", hide);
  return { open, set onLog(fn) { onLog = fn; } };
})();

// The keys every page has: the jump bar, and the history of the browser
// for the terminal's [ and ].
document.addEventListener("keydown", ev => {
  if (typing(ev)) return;
  const scope = body.dataset.log ? "log" : body.dataset.dir ? "tree" : "viewer";
  switch (actionOf(scope, ev, ["jump", "back-in-history", "forward-in-history"])) {
    case "jump": jump.open(); break;
    case "back-in-history": history.back(); break;
    case "forward-in-history": history.forward(); break;
    default: return;
  }
  ev.preventDefault();
  ev.stopImmediatePropagation();
}, true);

// A directory: the table, live.
(function () {
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

  // The filter as the tree's: a substring, or a regular expression after ~.
  function matcher() {
    const q = filterBox.value;
    if (!q) return null;
    if (q.startsWith("~")) {
      try { const re = new RegExp(q.slice(1), "i"); return s => re.test(s); } catch (e) { /* typed halfway */ }
    }
    const low = q.toLowerCase();
    return s => s.toLowerCase().includes(low);
  }

  function refilter() {
    if (!dir) return;
    const m = matcher();
    shown = dir.entries.filter(e => !m || m(e.name) ||
      (e.cells || []).some((c, i) => !(e.since && e.since[i]) && m(c)));
    if (sortCol >= 0) {
      const num = s => { const x = /^-?\d+(\.\d+)?/.exec(s); return x ? parseFloat(x[0]) : NaN; };
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
    const count = Math.ceil(window.innerHeight / rowHeight) + 40;
    const first = Math.max(0, Math.min(Math.floor((view.scrollTop - top) / rowHeight) - 20, shown.length - count));
    const last = Math.min(shown.length, first + count);
    const head = document.createElement("thead");
    const hr = head.insertRow();
    cols.forEach(i => {
      const th = document.createElement("th");
      th.textContent = dir.columns[i] + (i === sortCol ? (sortReverse ? " ↓" : " ↑") : "");
      th.addEventListener("click", () => { sortReverse = sortCol === i ? !sortReverse : false; sortCol = i; refilter(); draw(); });
      hr.appendChild(th);
    });
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
    if (typing(ev)) return;
    const action = actionOf("tree", ev, ["down", "up", "page-down", "page-up", "top", "bottom", "open", "close", "back",
      "filter", "clear-filter", "sort", "sort-reverse", "wide", "yank", "yank-path", "merged-logs", "diff", "diff-contexts"]);
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
      case "close": case "back": location.href = parentOf(location.pathname); break;
      case "filter": filterBox.focus(); break;
      case "clear-filter": filterBox.value = ""; refilter(); draw(); break;
      case "merged-logs": if (e && e.dir) location.href = e.url + "/logs?pane"; break;
      case "sort": sortCol = sortCol + 1 >= (dir.columns || []).length ? -1 : sortCol + 1; refilter(); draw(); break;
      case "sort-reverse": sortReverse = !sortReverse; refilter(); draw(); break;
      case "wide": location.search = body.dataset.wide ? "" : "wide"; break;
      case "yank": if (e) copy(e.name, e.name); break;
      case "yank-path": if (e) copy(e.url, e.url); break;
      case "diff": case "diff-contexts":
        if (!e || e.dir) { flash("d and D compare leaves: select one", true); break; }
        if (action === "diff") diffMark(e.url); else diffAcross(e.url);
        break;
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
    const ws = new WebSocket(socketURL(location.pathname));
    ws.onmessage = m => {
      backoff = 500;
      const name = shown[selected] && shown[selected].name;
      dir = JSON.parse(m.data);
      refilter();
      const k = shown.findIndex(e => e.name === name);
      if (k >= 0) selected = k;
      body.dataset.live = "1";
      draw();
      // For the bench: when the rows first showed, from the request.
      if (!performance.getEntriesByName("kfsui-rows").length && !dir.loading) performance.mark("kfsui-rows");
    };
    ws.onclose = () => {
      body.dataset.live = "";
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  connect();
})();

// A leaf: scrolled with the viewer's keys; in a tree.txt (and a search's
// results) up and down select the lines that lead to objects, Enter
// follows one.
(function () {
  if (!body.dataset.leaf) return;
  const links = [...document.querySelectorAll("pre a.line")];
  let sel = -1;
  function selectLink(k) {
    if (!links.length) return false;
    if (sel >= 0) links[sel].classList.remove("selected");
    sel = Math.max(0, Math.min(k, links.length - 1));
    links[sel].classList.add("selected");
    links[sel].scrollIntoView({ block: "nearest" });
    return true;
  }
  const line = 18, view = () => document.scrollingElement;
  document.addEventListener("keydown", ev => {
    if (typing(ev)) return;
    const action = actionOf("viewer", ev, ["down", "up", "page-down", "page-up", "top", "bottom", "open", "back",
      "yank", "yank-path", "diff", "diff-contexts", "diff-raw"]);
    const made = body.dataset.made;
    switch (action) {
      case "down": if (!selectLink(sel + 1)) view().scrollTop += line; break;
      case "up": if (!selectLink(sel - 1)) view().scrollTop -= line; break;
      case "page-down": view().scrollTop += window.innerHeight - 3 * line; break;
      case "page-up": view().scrollTop -= window.innerHeight - 3 * line; break;
      case "top": view().scrollTop = 0; break;
      case "bottom": view().scrollTop = view().scrollHeight; break;
      case "open": if (sel >= 0) location.href = links[sel].href; break;
      case "back": if (made) history.back(); else location.href = parentOf(location.pathname); break;
      case "yank": copy(document.querySelector("main pre").textContent, "the text"); break;
      case "yank-path": copy(location.pathname, location.pathname); break;
      case "diff": if (!made) diffMark(location.pathname); break;
      case "diff-contexts": if (!made) diffAcross(location.pathname); break;
      case "diff-raw": { // manifests as stored, or neat again
        if (location.pathname !== "/-/diff") return;
        const q = new URLSearchParams(location.search);
        if (q.get("manifests") === "raw") q.delete("manifests"); else q.set("manifests", "raw");
        location.search = q.toString();
        break;
      }
      default: return;
    }
    ev.preventDefault();
  });
})();

// ANSI colors in log lines, as the terminal's panes show them: SGR
// sequences (colors, bold, ...) style the text, every other escape
// sequence is dropped, other control characters show as U+FFFD.
const ansi = (function () {
  // segments splits a line into [text, style] runs; style is null for
  // the pane's own.
  // The escape sequences dropped or read, matched where they start: a
  // CSI (SGR when it ends in m), a string (OSC, DCS...) up to BEL or ST,
  // an nF escape such as ESC ( B.
  const csi = /\x1b\[([0-?]*)[ -\/]*([@-~])/y, str = /\x1b[\]P_^X][\s\S]*?(\x07|\x1b\\|$)/y, nf = /\x1b[ -\/]+[0-~]/y;
  function segments(line) {
    if (!/[\x00-\x08\x0b-\x1f\x7f]/.test(line)) return [[line, null]];
    const out = [];
    let st = {}, text = "";
    const flush = () => { if (text) { out.push([text, Object.keys(st).length ? st : null]); text = ""; } };
    for (let i = 0; i < line.length;) {
      const c = line.charCodeAt(i);
      if (c === 0x1b) {
        csi.lastIndex = nf.lastIndex = str.lastIndex = i;
        const m = csi.exec(line);
        if (m) {
          if (m[2] === "m" && /^[0-9;:]*$/.test(m[1])) { flush(); st = sgr(st, m[1]); }
          i += m[0].length;
          continue;
        }
        const o = str.exec(line) || nf.exec(line);
        i += o ? o[0].length : 2;
        continue;
      }
      if (c === 9) { text += "\t"; i++; continue; }
      if (c < 0x20 || c === 0x7f) { text += "\uFFFD"; i++; continue; }
      text += line[i++];
    }
    flush();
    return out;
  }
  // color is an SGR extended color (5;n or 2;r;g;b) from ps at i; it
  // returns [css color or class, parameters used].
  function color(ps, i) {
    if (ps[i + 1] === 5 && ps[i + 2] >= 0 && ps[i + 2] < 256) {
      const n = ps[i + 2];
      if (n < 16) return [n, 2];
      if (n < 232) { const v = k => [0, 95, 135, 175, 215, 255][k]; const x = n - 16; return [`rgb(${v(Math.floor(x / 36))},${v(Math.floor(x / 6) % 6)},${v(x % 6)})`, 2]; }
      const g = 8 + (n - 232) * 10; return [`rgb(${g},${g},${g})`, 2];
    }
    if (ps[i + 1] === 2 && ps.slice(i + 2, i + 5).every(v => v >= 0 && v < 256)) return [`rgb(${ps[i + 2]},${ps[i + 3]},${ps[i + 4]})`, 4];
    return [null, ps[i + 1] === 2 ? 4 : ps[i + 1] === 5 ? 2 : 0];
  }
  function sgr(prev, params) {
    const st = Object.assign({}, prev);
    const ps = params === "" ? [0] : params.split(/[;:]/).map(p => p === "" ? 0 : +p);
    for (let i = 0; i < ps.length; i++) {
      const n = ps[i];
      if (n === 0) { for (const k in st) delete st[k]; }
      else if (n === 1) st.bold = true;
      else if (n === 2) st.dim = true;
      else if (n === 3) st.italic = true;
      else if (n === 4) st.underline = true;
      else if (n === 7) st.reverse = true;
      else if (n === 9) st.strike = true;
      else if (n === 22) { delete st.bold; delete st.dim; }
      else if (n === 23) delete st.italic;
      else if (n === 24) delete st.underline;
      else if (n === 27) delete st.reverse;
      else if (n === 29) delete st.strike;
      else if (n >= 30 && n <= 37) st.fg = n - 30;
      else if (n >= 90 && n <= 97) st.fg = n - 90 + 8;
      else if (n >= 40 && n <= 47) st.bg = n - 40;
      else if (n >= 100 && n <= 107) st.bg = n - 100 + 8;
      else if (n === 39) delete st.fg;
      else if (n === 49) delete st.bg;
      else if (n === 38 || n === 48) {
        const [c, used] = color(ps, i);
        if (c !== null) st[n === 38 ? "fg" : "bg"] = c;
        i += used;
      }
    }
    return st;
  }
  // append adds a line's runs to el: styled spans, text never markup.
  function append(el, line) {
    for (const [text, st] of segments(line)) {
      if (!st) { el.appendChild(document.createTextNode(text)); continue; }
      const s = document.createElement("span");
      s.textContent = text;
      for (const k of ["bold", "dim", "italic", "underline", "reverse", "strike"]) if (st[k]) s.classList.add("a-" + k);
      for (const k of ["fg", "bg"]) {
        if (typeof st[k] === "number") s.classList.add("a-" + k + st[k]);
        else if (st[k]) s.style[k === "fg" ? "color" : "backgroundColor"] = st[k];
      }
      el.appendChild(s);
    }
  }
  // plain is a line without its escape sequences, for filters and files.
  function plain(line) { return segments(line).map(s => s[0]).join(""); }
  return { append, plain };
})();

// Log panes: each a .log leaf's log, or a logs/ directory's merged, over
// its own socket; bounded, with follow/pause, filter, timestamps, wrap,
// the time window, previous and download, as the terminal's panes. Only
// the lines in view are drawn.
(function () {
  if (!body.dataset.log) return;
  const max = 50000;       // lines a pane keeps; older ones are evicted
  const rowHeight = 18;
  const holder = document.getElementById("panes");
  const panes = [];
  let focused = null, maximised = false;

  // Lines are a pane's lines by column: their times, sources and texts,
  // as a batch frame brings them. A flood is strings in three arrays, not
  // an object a line for the collector to trace.
  function Lines() {
    this.ts = []; this.src = []; this.text = [];
  }
  Object.defineProperty(Lines.prototype, "length", { get() { return this.ts.length; } });
  Lines.prototype.add = function (f) {
    for (let i = 0; i < f.ts.length; i++) {
      this.ts.push(f.ts[i]);
      this.text.push(f.line[i]);
      this.src.push(f.src ? f.src[i] : "");
    }
  };
  // keep drops all but the last n lines, and returns how many it dropped.
  Lines.prototype.keep = function (n) {
    const drop = Math.max(0, this.ts.length - n);
    this.ts = this.ts.slice(drop); this.src = this.src.slice(drop); this.text = this.text.slice(drop);
    return drop;
  };
  Lines.prototype.at = function (i) { return { ts: this.ts[i], src: this.src[i], line: this.text[i] }; };
  Lines.prototype.range = function (a, b) { const out = []; for (let i = a; i < b; i++) out.push(this.at(i)); return out; };

  function Pane(url) {
    const p = { url, lines: new Lines(), lastTs: "", lastCount: 0, retry: 0, received: 0, evicted: 0, dropped: 0, following: true, stamps: false, wrap: false, top: 0,
      previous: false, window: { tailLines: 1000 }, ws: null, ended: false, backoff: 500, pending: false, filter: null };
    const el = document.createElement("section");
    el.className = "pane";
    el.dataset.url = url;
    const bar = document.createElement("div");
    bar.className = "bar";
    const title = document.createElement("a");
    title.href = url.replace(/\/logs\/?$/, "/logs");
    title.textContent = url;
    const status = document.createElement("span");
    status.className = "muted logstate";
    status.textContent = "connecting";
    const info = document.createElement("span");
    info.className = "muted loginfo";
    const filterBox = document.createElement("input");
    filterBox.placeholder = "f filter (regex)";
    filterBox.autocomplete = "off";
    filterBox.spellcheck = false;
    const button = (label, fn) => { const b = document.createElement("button"); b.type = "button"; b.textContent = label; b.addEventListener("click", () => { focus(p); fn(); }); return b; };
    const followBtn = button("following", () => toggle("follow"));
    const stampsBtn = button("timestamps", () => toggle("timestamps"));
    const wrapBtn = button("wrap", () => toggle("wrap"));
    const saveBtn = button("download", () => save());
    const closeBtn = button("×", () => close(p));
    closeBtn.title = "close the pane (x)";
    bar.append(title, status, info, filterBox, followBtn, stampsBtn, wrapBtn, saveBtn, closeBtn);
    const view = document.createElement("div");
    view.className = "view";
    const pre = document.createElement("pre");
    view.appendChild(pre);
    el.append(bar, view);
    el.addEventListener("mousedown", () => focus(p));
    Object.assign(p, { el, pre, view, info, status, filterBox, followBtn, stampsBtn, wrapBtn });

    function text(l) { return (p.stamps ? l.ts + " " : "") + (l.src ? l.src + " " : "") + (l.line || ""); }
    // shown are the lines the filter lets through: an array of
    // {ts, src, line} for those in view, as the pane draws them.
    function shown() {
      const n = p.lines.length;
      if (!p.filter) return { length: n, slice: (a, b) => p.lines.range(a, Math.min(b, n)) };
      const keep = [];
      for (let i = 0; i < n; i++) if (p.filter.test(ansi.plain(text(p.lines.at(i))))) keep.push(i);
      return { length: keep.length, slice: (a, b) => keep.slice(a, b).map(i => p.lines.at(i)) };
    }
    function rows() { return Math.max(1, Math.floor(view.clientHeight / rowHeight)); }
    p.draw = function () {
      p.pending = false;
      const all = shown(), n = rows();
      if (p.following) p.top = Math.max(0, all.length - n);
      p.top = Math.max(0, Math.min(p.top, Math.max(0, all.length - n)));
      const slice = all.slice(p.top, p.top + n);
      pre.replaceChildren();
      slice.forEach((l, k) => {
        if (k) pre.appendChild(document.createTextNode("\n"));
        if (p.stamps) { const s = document.createElement("span"); s.className = "muted"; s.textContent = l.ts + " "; pre.appendChild(s); }
        if (l.src) { const s = document.createElement("span"); s.className = "src"; s.textContent = l.src + " "; pre.appendChild(s); }
        ansi.append(pre, l.line || "");
      });
      view.classList.toggle("bottom", p.following);
      pre.className = p.wrap ? "wrap" : "";
      info.textContent = (all.length ? (p.top + 1) + "–" + (p.top + slice.length) + " of " : "") + all.length +
        (p.filter ? " matching of " + p.lines.length : "") + " lines" +
        (p.evicted ? " · " + p.evicted + " evicted" : "") + (p.dropped ? " · " + p.dropped + " dropped by the server" : "");
      // For the bench: every line received, and those the server let go.
      el.dataset.received = p.received;
      el.dataset.dropped = p.dropped;
      followBtn.textContent = p.following ? "following" : "paused";
      stampsBtn.className = p.stamps ? "" : "off";
      wrapBtn.className = p.wrap ? "" : "off";
    };
    p.later = function () { if (!p.pending) { p.pending = true; window.requestAnimationFrame(p.draw); } };
    function toggle(what) {
      if (what === "follow") p.following = !p.following;
      if (what === "timestamps") p.stamps = !p.stamps;
      if (what === "wrap") p.wrap = !p.wrap;
      p.draw();
    }
    function save() {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([p.lines.range(0, p.lines.length).map(l => ansi.plain(text(l))).join("\n") + "\n"], { type: "text/plain" }));
      a.download = url.replace(/^\/+/, "").replace(/[/@]/g, "_") + ".txt";
      a.click();
      flash("saved " + p.lines.length + " lines");
    }
    function scroll(by) {
      const all = shown().length, n = rows();
      p.top = Math.max(0, (p.following ? Math.max(0, all - n) : p.top) + by);
      p.following = p.top >= all - n;
      p.draw();
    }
    view.addEventListener("wheel", ev => { ev.preventDefault(); scroll(Math.sign(ev.deltaY) * 3); }, { passive: false });
    filterBox.addEventListener("input", () => {
      try { p.filter = filterBox.value ? new RegExp(filterBox.value, "i") : null; filterBox.classList.remove("bad"); }
      catch (e) { filterBox.classList.add("bad"); }
      p.later();
    });
    filterBox.addEventListener("keydown", ev => {
      if (ev.key === "Escape") { filterBox.value = ""; p.filter = null; filterBox.blur(); p.later(); }
      if (ev.key === "Enter") filterBox.blur();
    });

    // The socket; after a drop, resumed from the last line's time.
    function connect() {
      // The lines that wait together come as one frame: a page takes
      // a frame in tens of microseconds, too slow for a flood's lines
      // one frame each.
      const q = new URLSearchParams({ follow: "", batch: "" });
      if (p.previous) q.set("previous", "");
      if (p.lastTs) {
        q.set("since", p.lastTs);
        q.set("sinceCount", p.lastCount);
      } else {
        for (const k in p.window) q.set(k, p.window[k]);
      }
      const ws = new WebSocket(socketURL(url, q.toString()));
      p.ws = ws;
      ws.onmessage = m => {
        if (p.ws !== ws) return; // replaced, or the pane closed
        p.backoff = 500;
        const f = JSON.parse(m.data);
        if (f.ts) {
          p.lines.add(f);
          p.received += f.ts.length;
          // Where a reconnection resumes: after the last time received,
          // and the lines stamped with it.
          for (const ts of f.ts) {
            if (ts === p.lastTs) p.lastCount++;
            else { p.lastTs = ts; p.lastCount = 1; }
          }
          // Evicted in chunks of a tenth: one copy per 5,000 lines; a
          // paused view stays on its lines.
          if (p.lines.length > max * 1.1) {
            const gone = p.lines.keep(max);
            p.evicted += gone;
            if (!p.following) p.top = Math.max(0, p.top - gone);
          }
        } else if (f.dropped) {
          p.dropped += f.dropped;
        } else if (f.state) {
          status.textContent = (f.src ? f.src + ": " : "") + f.state + (f.detail ? ": " + f.detail : "");
          if (f.state === "ended" && !f.src) p.ended = true;
        }
        if (!el.dataset.live) el.dataset.live = "1";
        p.later();
      };
      ws.onclose = ev => {
        if (p.ws !== ws) return; // replaced, or the pane closed
        el.dataset.live = "";
        // The log ended: the last state said why (ended: pod deleted,
        // failed: forbidden).
        if (p.ended || ev.code === 1000) { status.textContent += " · closed"; return; }
        if (ev.reason) status.textContent = ev.reason;
        p.retry = setTimeout(connect, p.backoff);
        p.backoff = Math.min(p.backoff * 2, 10000);
      };
    }
    // restart reads the log again with other options: the time window,
    // the previous instance.
    p.restart = function (change) {
      change();
      p.lines = new Lines(); p.evicted = 0; p.dropped = 0; p.ended = false; p.following = true;
      p.lastTs = ""; p.lastCount = 0;
      p.close();
      status.textContent = "connecting";
      connect();
      p.draw();
    };
    p.close = function () {
      clearTimeout(p.retry);
      const ws = p.ws;
      p.ws = null;
      if (ws) ws.close();
    };
    p.toggle = toggle;
    p.save = save;
    p.scroll = scroll;
    p.rows = rows;
    connect();
    return p;
  }

  function focus(p) {
    focused = p;
    panes.forEach(q => q.el.classList.toggle("focused", q === p));
  }
  function layout() {
    panes.forEach(q => { q.el.hidden = maximised && q !== focused; });
    panes.forEach(q => q.draw());
  }
  // remember keeps the page's URL naming its panes: a permalink.
  function remember() {
    const u = panes.length === 1 ? panes[0].url + (/\.log$/.test(panes[0].url) ? "" : "?pane")
      : "/-/logs?" + new URLSearchParams(panes.map(q => ["p", q.url]));
    history.replaceState(null, "", u);
  }
  function add(url) {
    const p = Pane(url);
    panes.push(p);
    holder.appendChild(p.el);
    focus(p);
    maximised = false;
    layout();
    remember();
  }
  function close(p) {
    p.close();
    p.el.remove();
    panes.splice(panes.indexOf(p), 1);
    if (!panes.length) { location.href = parentOf(p.url); return; }
    focus(panes[0]);
    layout();
    remember();
  }

  JSON.parse(body.dataset.panes || "[]").forEach(add);
  focus(panes[0]);
  jump.onLog = add;
  window.addEventListener("resize", layout);

  const windows = { "since-tail": { tailLines: 1000 }, "since-1m": { sinceSeconds: 60 }, "since-5m": { sinceSeconds: 300 },
    "since-15m": { sinceSeconds: 900 }, "since-1h": { sinceSeconds: 3600 }, "since-all": {} };
  document.addEventListener("keydown", ev => {
    if (typing(ev) || !focused) return;
    const p = focused;
    const action = actionOf("log", ev, ["follow", "timestamps", "wrap", "filter", "search", "clear-filter", "save", "clear",
      "previous", "since-tail", "since-1m", "since-5m", "since-15m", "since-1h", "since-all", "more-lines", "fewer-lines",
      "maximise", "close-pane", "switch-pane", "back", "top", "bottom", "up", "down", "page-up", "page-down", "yank", "yank-path"]);
    switch (action) {
      case "follow": case "timestamps": case "wrap": p.toggle(action); break;
      case "filter": case "search": p.filterBox.focus(); break;
      case "clear-filter": p.filterBox.value = ""; p.filter = null; p.later(); break;
      case "save": p.save(); break;
      case "clear": p.lines = new Lines(); p.evicted = 0; p.dropped = 0; p.draw(); break;
      case "previous": p.restart(() => { p.previous = !p.previous; }); flash(p.previous ? "the previous instance" : "the current instance"); break;
      case "more-lines": case "fewer-lines": {
        const n = p.window.tailLines || 1000;
        p.restart(() => { p.window = { tailLines: action === "more-lines" ? n * 2 : Math.max(1, Math.floor(n / 2)) }; });
        flash("the last " + p.window.tailLines + " lines");
        break;
      }
      case "maximise": maximised = !maximised; layout(); break;
      case "close-pane": close(p); break;
      case "switch-pane": focus(panes[(panes.indexOf(p) + 1) % panes.length]); break;
      case "back": location.href = parentOf(p.url); break;
      case "top": p.following = false; p.top = 0; p.draw(); break;
      case "bottom": p.following = true; p.draw(); break;
      case "up": p.scroll(-1); break;
      case "down": p.scroll(1); break;
      case "page-up": p.scroll(-p.rows()); break;
      case "page-down": p.scroll(p.rows()); break;
      case "yank": copy(p.lines.range(0, p.lines.length).map(l => ansi.plain((p.stamps ? l.ts + " " : "") + (l.src ? l.src + " " : "") + l.line)).join("\n") + "\n", p.lines.length + " lines"); break;
      case "yank-path": copy(p.url, p.url); break;
      default:
        if (windows[action]) { p.restart(() => { p.window = windows[action]; }); flash(action.replace("since-", "window: ")); break; }
        return;
    }
    ev.preventDefault();
  });
})();
