// The situation board's page: log-in, figures, charts, the grid, live updates, two languages.
// Data comes from the board's API only (counts and opaque ids, never personal data) and is put
// on the page as text (textContent), never as HTML.
import { chartKind, chartOption, CHART_ORDER, ROOM_SERIES } from "./charts.js";
import { GROUPS, NAMES, UI } from "./labels.js";

const LANG_KEY = "towngrid.board.lang";
const state = {
  lang: localStorage.getItem(LANG_KEY) === "en" ? "en" : "zh",
  scope: scopeFromHash(),
  data: null,
  stream: null,
  retryMs: 1000,
  charts: new Map(), // series name -> {box, chart}
};

const $ = (id) => document.getElementById(id);
const t = (key) => UI[state.lang][key] ?? key;
const name = (raw) => raw.split("/").map((part) => NAMES[state.lang][part] ?? part).join(" / ");
const number = (value) => new Intl.NumberFormat(state.lang === "zh" ? "zh-CN" : "en-GB",
  { maximumFractionDigits: 1 }).format(value);

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// ----- scope (town, community, compound), kept in the address: #community=..&compound=..

function scopeFromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { community: params.get("community"), compound: params.get("compound") };
}

function query(scope) {
  const params = new URLSearchParams();
  if (scope.community) params.set("community", scope.community);
  if (scope.compound) params.set("compound", scope.compound);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function go(scope) {
  state.scope = scope;
  history.replaceState(null, "", query(scope).replace("?", "#") || location.pathname);
  refresh();
  listen();
}

const sameScope = (a) => (a?.community ?? null) === state.scope.community
  && (a?.compound ?? null) === state.scope.compound;

// ----- the API

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options,
    headers: { Accept: "application/json", ...(options.body ? { "Content-Type": "application/json" } : {}) } });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  return { ok: response.ok, status: response.status, body };
}

const problem = (answer) => [answer.body?.title, answer.body?.detail].filter(Boolean).join(": ")
  || `HTTP ${answer.status}`;

async function refresh() {
  const answer = await api(`/api/figures${query(state.scope)}`);
  if (answer.status === 401) return showLogin();
  if (!answer.ok) return showError(problem(answer));
  showError(null);
  showBoard();
  render(answer.body);
}

function listen() {
  state.stream?.close();
  const stream = new EventSource(`/api/stream${query(state.scope)}`);
  state.stream = stream;
  stream.addEventListener("open", () => { state.retryMs = 1000; setLive(true); });
  stream.addEventListener("figures", (event) => {
    const data = JSON.parse(event.data);
    if (sameScope(data.scope)) render(data); else refresh();
  });
  stream.addEventListener("error", () => {
    setLive(false);
    if (stream.readyState !== EventSource.CLOSED || state.stream !== stream) return; // the browser retries itself
    state.stream = null;
    setTimeout(() => { if (!state.stream && !$("board").hidden) { refresh(); listen(); } }, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 30000);
  });
}

// ----- log-in and log-out

function showLogin() {
  state.stream?.close();
  state.stream = null;
  $("board").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("token").focus();
}

function showBoard() {
  $("login").hidden = true;
  $("board").hidden = false;
  $("logout").hidden = false;
}

function showError(text) {
  $("error").hidden = !text;
  $("error").textContent = text ?? "";
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await api("/api/session", { method: "POST", body: JSON.stringify({ token: $("token").value.trim() }) });
  $("login-error").hidden = answer.ok;
  $("login-error").textContent = answer.ok ? "" : `${t("login.failed")}: ${problem(answer)}`;
  if (!answer.ok) return;
  $("token").value = "";
  await refresh();
  listen();
});

$("logout").addEventListener("click", async () => {
  await api("/api/session", { method: "DELETE" });
  showLogin();
});

// ----- language

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.title = t("title");
  if (state.data) render(state.data, { relabel: true });
}

$("lang-switch").addEventListener("click", () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem(LANG_KEY, state.lang);
  applyLanguage();
});

// ----- rendering

function render(data, { relabel = false } = {}) {
  const previous = relabel ? null : state.data?.figures;
  state.data = data;
  renderStatus(data);
  renderTiles(data.figures ?? {}, previous);
  renderCharts(data.series ?? {});
  renderGrid(data.grid ?? []);
}

function setLive(on) {
  $("live").classList.toggle("on", on);
  $("live").textContent = on ? t("live") : t("reconnecting");
}

function renderStatus(data) {
  const crumbs = $("crumbs");
  crumbs.replaceChildren();
  const levels = [[t("town"), { community: null, compound: null }]];
  if (data.scope?.community) levels.push([`${t("scope.community")} ${data.scope.community}`,
    { community: data.scope.community, compound: null }]);
  if (data.scope?.compound) levels.push([`${t("scope.compound")} ${data.scope.compound}`,
    { community: data.scope.community, compound: data.scope.compound }]);
  levels.forEach(([text, scope], index) => {
    const button = el("button", { type: "button" }, text);
    if (index === levels.length - 1) button.setAttribute("aria-current", "page");
    button.addEventListener("click", () => go(scope));
    crumbs.append(button);
  });
  const when = data.last_event_at ? new Date(data.last_event_at) : null;
  $("updated").textContent = `${t("updated")} ${when ? when.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB") : t("noEvents")}`;
  const behind = data.lag?.events_behind ?? 0;
  $("lag").dataset.eventsBehind = behind;
  $("lag").classList.toggle("behind", behind > 0);
  $("lag").textContent = behind > 0 ? t("behind").replace("{n}", number(behind)) : t("upToDate");
  setLive($("live").classList.contains("on"));
}

function renderTiles(figures, previous) {
  const numbers = Object.entries(figures).filter(([, value]) => typeof value === "number");
  const placed = new Set(GROUPS.flatMap(([, names]) => names));
  const sections = [...GROUPS.map(([group, names]) => [group, names.filter((key) => key in figures)]),
    ["group.other", numbers.map(([key]) => key).filter((key) => !placed.has(key))]];
  $("tiles").replaceChildren(...sections.filter(([, keys]) => keys.length).map(([group, keys]) => {
    const section = el("section", { class: "group", "data-group": group });
    const tiles = el("div", { class: "tiles" });
    for (const key of keys.filter((k) => typeof figures[k] === "number")) {
      const tile = el("div", { class: "tile", "data-figure": key });
      tile.append(el("span", { class: "label" }, name(key)), el("span", { class: "value" }, number(figures[key])));
      if (previous && key in previous && previous[key] !== figures[key]) tile.classList.add("changed");
      tiles.append(tile);
    }
    section.append(el("h3", {}, t(group)), tiles);
    return section;
  }));
  if (!numbers.length) $("tiles").append(el("p", { class: "note" }, t("empty")));
}

function renderCharts(series) {
  const box = $("charts");
  $("no-charts").hidden = Boolean(window.echarts);
  for (const [key, entry] of state.charts) {
    if (!(key in series)) { entry.chart?.dispose(); entry.box.remove(); state.charts.delete(key); }
  }
  const rank = (key) => (CHART_ORDER.includes(key) ? CHART_ORDER.indexOf(key) : CHART_ORDER.length);
  const ordered = Object.entries(series).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  for (const [key, points] of ordered) {
    let entry = state.charts.get(key);
    const asRooms = ROOM_SERIES.includes(key);
    if (!entry) {
      const card = el("figure", { class: "chart", "data-series": key });
      card.append(el("h3"), el("div", { class: asRooms ? "rooms" : "plot" }));
      box.append(card);
      entry = { box: card, chart: window.echarts && !asRooms ? window.echarts.init(card.lastChild) : null };
      state.charts.set(key, entry);
    }
    box.append(entry.box); // (re)placed in order
    entry.box.firstChild.textContent = name(key);
    if (asRooms) entry.box.lastChild.replaceChildren(...rooms(points));
    else if (entry.chart) {
      const rows = chartKind(points) === "rows" ? points.length : 0;
      entry.box.lastChild.style.height = rows > 8 ? `${rows * 1.4 + 3}rem` : "";
      entry.chart.resize();
      entry.chart.setOption(chartOption(points, name(key), { name, t }), { notMerge: true });
    }
    else entry.box.lastChild.replaceChildren(table(points));
  }
}

// Rooms ("site/room" -> people in it) as a plan of cells, one per room, by site: a free room, an
// occupied one; how many are occupied of how many.
function rooms(points) {
  const sites = new Map();
  for (const point of points) {
    const [site, ...room] = point.key.split("/");
    if (!sites.has(site)) sites.set(site, []);
    sites.get(site).push({ room: room.join("/"), occupied: point.value });
  }
  if (!sites.size) return [el("p", { class: "note" }, t("empty"))];
  return [...sites].map(([site, list]) => {
    const occupied = list.filter((r) => r.occupied > 0).length;
    const block = el("div", { class: "site", "data-site": site });
    block.append(el("p", { class: "note" }, `${site}: ${t("rooms.occupied").replace("{n}", number(occupied))
      .replace("{of}", number(list.length))}`));
    const cells = el("div", { class: "room-cells" });
    for (const r of list) {
      const status = r.occupied > 0 ? "occupied" : "free";
      cells.append(el("span", { class: `room ${status}`, "data-room": r.room, title: `${r.room}: ${t(`room.${status}`)}` },
        r.room));
    }
    block.append(cells);
    return block;
  });
}

function table(points) {
  const body = el("table");
  if (!points.length) body.append(el("tr")).append(el("td", {}, t("empty")));
  for (const point of points) {
    const row = body.appendChild(el("tr"));
    row.append(el("td", {}, name(point.key)), el("td", {}, number(point.value)));
  }
  return body;
}

function renderGrid(communities) {
  const grid = $("grid");
  grid.replaceChildren(...communities.map((community) => {
    const card = el("div", { class: "community", "data-community": community.community });
    if (community.community === state.scope.community) card.classList.add("selected");
    const title = el("button", { type: "button" }, `${t("scope.community")} ${community.community}`);
    title.addEventListener("click", () => go({ community: community.community, compound: null }));
    const cells = el("div", { class: "compounds" });
    for (const compound of community.compounds ?? []) {
      const status = ["ok", "quarantine", "gap"].includes(compound.status) ? compound.status : "unknown";
      const cell = el("button", { type: "button", class: `cell status-${status}`, "data-compound": compound.id,
        title: `${compound.id}: ${t(`status.${status}`)}`, "aria-label": `${compound.id}: ${t(`status.${status}`)}` });
      if (compound.id === state.scope.compound) cell.classList.add("selected");
      cell.addEventListener("click", () => go({ community: community.community, compound: compound.id }));
      cells.append(cell);
    }
    card.append(title, cells);
    return card;
  }));
  if (!communities.length) grid.append(el("p", { class: "note" }, t("empty")));
}

window.addEventListener("resize", () => { for (const { chart } of state.charts.values()) chart?.resize(); });
window.addEventListener("hashchange", () => {
  const scope = scopeFromHash();
  if (!sameScope(scope)) go(scope);
});

applyLanguage();
await refresh();
if (!$("board").hidden) listen();
