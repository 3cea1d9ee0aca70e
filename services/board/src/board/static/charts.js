// How a series is drawn (ECharts options); labels come from the caller's `name` and `t`.

// The charts' order on the page; others follow by name.
export const CHART_ORDER = ["arrivals_per_day", "returnees_per_day", "permits_issued_by_type", "permits_issued_by_channel",
  "permits_applied_by_channel", "orders_by_status", "workers_dispatched_by_province", "workers_matched_by_province",
  "relief_stock_by_item", "relief_stock_on_hand_by_item", "relief_stock_received_by_item", "isolation_occupancy_by_room"];

// Drawn as a plan of rooms (board.js), not a chart.
export const ROOM_SERIES = ["isolation_occupancy_by_room"];

// A line over days; stacked bars where keys are "group/part" (permits by type/channel);
// horizontal bars for long lists (provinces); plain bars otherwise.
const isDay = (p) => /^\d{4}-\d{2}-\d{2}/.test(p.key);
const groupsAndParts = (points) => [[...new Set(points.map((p) => p.key.split("/")[0]))],
  [...new Set(points.map((p) => p.key.split("/").slice(1).join("/")))]];

export function chartKind(points) {
  if (points.length && points.every(isDay)) return "line";
  const [groups, parts] = groupsAndParts(points);
  if (points.length && points.every((p) => p.key.includes("/")) && parts.length <= 6 && groups.length <= 12) return "stacked";
  return points.length > 5 ? "rows" : "bars";
}

export function chartOption(points, title, { name, t }) {
  const base = { grid: { left: 8, right: 28, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" }, animationDuration: 300 };
  const kind = chartKind(points);
  if (!points.length) {
    return { title: { text: t("empty"), left: "center", top: "middle",
      textStyle: { color: "#5b6878", fontSize: 13, fontWeight: "normal" } } };
  }
  if (kind === "line") {
    return { ...base, xAxis: { type: "category", data: points.map((p) => p.key.slice(5)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: title, smooth: true, areaStyle: { opacity: 0.15 },
        data: points.map((p) => p.value) }], color: ["#c62f2f"] };
  }
  if (kind === "stacked") {
    const [groups, parts] = groupsAndParts(points);
    const value = (g, part) => points.find((p) => p.key === `${g}/${part}`)?.value ?? 0;
    return { ...base, legend: { top: 0, type: "scroll" }, grid: { ...base.grid, top: 36 },
      xAxis: { type: "category", data: groups.map(name), axisLabel: { interval: 0, overflow: "break", width: 80 } },
      yAxis: { type: "value", minInterval: 1 },
      series: parts.map((part) => ({ type: "bar", stack: "all", name: name(part),
        data: groups.map((g) => value(g, part)) })) };
  }
  const horizontal = kind === "rows";
  const sorted = horizontal ? [...points].sort((a, b) => a.value - b.value) : points;
  const categories = { type: "category", data: sorted.map((p) => name(p.key)),
    axisLabel: { interval: 0, overflow: "truncate", width: 90 } };
  const values = { type: "value", minInterval: 1 };
  return { ...base, xAxis: horizontal ? values : categories, yAxis: horizontal ? categories : values,
    series: [{ type: "bar", name: title, data: sorted.map((p) => p.value),
      label: { show: true, position: horizontal ? "right" : "top" } }], color: ["#2f6fc6"] };
}

