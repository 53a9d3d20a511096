// powerseek's interactive report: draws the data embedded in #powerseek-data.
// Plain DOM and SVG, no library and no network, so the page works offline.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("powerseek-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const slider = document.getElementById("gamma-slider");
  const tooltip = document.getElementById("tooltip");
  const nStates = data.states.length;
  let current = data.initial;
  let selected = data.highlighted.length ? data.highlighted[0][0] : 0;
  let timer = null;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(name, text, parent) {
    const node = document.createElement(name);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function fmt(x, digits) { return Number(x).toFixed(digits === undefined ? 4 : digits); }
  function fmtGamma(g) { return String(Number(g.toPrecision(6))); }

  // viridis, five stops; t in [0, 1]
  const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function colourAt(t) {
    t = Math.min(1, Math.max(0, t));
    const x = t * (STOPS.length - 1), k = Math.min(STOPS.length - 2, Math.floor(x)), f = x - k;
    const c = STOPS[k].map((v, j) => Math.round(v + f * (STOPS[k + 1][j] - v)));
    return "rgb(" + c.join(",") + ")";
  }
  function scaleT(value) {
    const lo = data.scale[current][0], hi = data.scale[current][1];
    if (hi > lo) return (value - lo) / (hi - lo);
    return value > hi ? 1 : value < lo ? 0 : 0.5;
  }
  const mean = (i) => data.power.mean[current][i];
  const stderr = (i) => data.power.stderr[current][i];
  const pairIndex = (i, j) => data.offsets[i] + j;
  const choice = (i, j) => data.optimality.mean[current][pairIndex(i, j)];
  const choiceSE = (i, j) => data.optimality.stderr[current][pairIndex(i, j)];

  // ---- tooltip -------------------------------------------------------------------------
  function describe(i) {
    const m = mean(i), e = stderr(i), z = data.z;
    const lines = [
      data.states[i] + "   (γ = " + fmtGamma(data.gammas[current]) + ")",
      "POWER " + fmt(m) + " ± " + fmt(e),
      Math.round(100 * data.confidence) + "% interval [" + fmt(m - z * e) + ", " + fmt(m + z * e) + "]",
    ];
    const lo = data.scale[current][0], hi = data.scale[current][1];
    if (m < lo || m > hi) lines.push("(beyond the colour scale: drawn at its end colour)");
    if (data.actions[i].length > 1) {
      lines.push("P(optimal):");
      data.actions[i].forEach((a, j) => {
        lines.push("  " + a + "  " + fmt(choice(i, j)) + " ± " + fmt(choiceSE(i, j)));
      });
    } else {
      lines.push("one action: " + data.actions[i][0]);
    }
    return lines.join("\n");
  }
  function show(text, event) {
    tooltip.textContent = text;
    tooltip.style.display = "block";
    move(event);
  }
  function move(event) {
    const x = event.clientX + 14, y = event.clientY + 14;
    tooltip.style.left = Math.min(x, window.innerWidth - tooltip.offsetWidth - 8) + "px";
    tooltip.style.top = Math.min(y, window.innerHeight - tooltip.offsetHeight - 8) + "px";
  }
  function hide() { tooltip.style.display = "none"; }
  function hoverable(node, text) {
    node.addEventListener("mouseenter", (e) => show(text(), e));
    node.addEventListener("mousemove", move);
    node.addEventListener("mouseleave", hide);
  }

  // ---- the map ---------------------------------------------------------------------------
  const map = document.getElementById("map");
  const shapes = [];     // per state: the rect or circle coloured by POWER
  const labels = [];     // per state: the value text (grids with room for it)
  const arrows = [];     // {state, action, node, kind, ...}
  const defs = el("defs", {}, map);
  const head = el("marker", {id: "head", viewBox: "0 0 10 10", refX: "7", refY: "5",
    markerWidth: "3", markerHeight: "3", orient: "auto-start-reverse"}, defs);
  el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#fff", stroke: "#000", "stroke-width": 1.2}, head);
  const edgeHead = el("marker", {id: "edge-head", viewBox: "0 0 10 10", refX: "7", refY: "5",
    markerUnits: "userSpaceOnUse", markerWidth: "10", markerHeight: "10",
    orient: "auto-start-reverse"}, defs);
  el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#444"}, edgeHead);
  const gradient = el("linearGradient", {id: "scale", x1: "0", y1: "1", x2: "0", y2: "0"}, defs);
  for (let k = 0; k <= 10; k++) {
    el("stop", {offset: k / 10, "stop-color": colourAt(k / 10)}, gradient);
  }
  let legendX = 0, legendTop = 0, legendHeight = 0, legendLo, legendHi;

  function select(i) {
    selected = i;
    shapes.forEach((s, k) => s.classList.toggle("selected", k === i));
    drawDetail();
  }

  function drawGrid() {
    const rows = data.shape[0], cols = data.shape[1];
    const cs = Math.max(16, Math.min(64, Math.floor(640 / cols)));
    const width = cols * cs, height = rows * cs;
    map.setAttribute("width", width + 90);
    map.setAttribute("height", Math.max(height, 160) + 4);
    el("rect", {x: 0, y: 0, width: width, height: height, fill: "#3a3a3a"}, map);
    const highlighted = new Set(data.highlighted.map((h) => h[0]));
    const arrowLayer = el("g", {id: "arrows"});
    data.cells.forEach((cell, i) => {
      const x = cell[1] * cs, y = cell[0] * cs;
      const rect = el("rect", {x: x + 0.5, y: y + 0.5, width: cs - 1, height: cs - 1,
        class: "cell", "data-state": i}, map);
      hoverable(rect, () => describe(i));
      rect.addEventListener("click", () => select(i));
      shapes.push(rect);
      if (highlighted.has(i)) {
        el("rect", {x: x + 2.5, y: y + 2.5, width: cs - 5, height: cs - 5, fill: "none",
          stroke: "#e6550d", "stroke-dasharray": "4 2", "stroke-width": 1.5,
          "pointer-events": "none"}, map);
      }
      if (data.marks[i]) {
        // the legend letter in the bottom-left corner, clear of the value (upper middle)
        // and of the arrows (from the centre, at most 0.38 of a cell long)
        el("text", {x: x + 3, y: y + cs - 3, "font-size": Math.max(8, cs * 0.2),
          "pointer-events": "none", fill: "#000", "font-weight": "bold", class: "mark"},
          map).textContent = data.marks[i];
      }
      if (cs >= 34) {
        labels.push(el("text", {x: x + cs / 2, y: y + cs * 0.3, "font-size": cs * 0.22,
          "text-anchor": "middle", "pointer-events": "none"}, map));
      }
      data.pairs[i].forEach((pair, j) => {
        const direction = pair[0];
        if (direction === null) return;
        const cx = x + cs / 2, cy = y + cs * 0.6;
        let node;
        if (direction === "stay") {
          node = el("circle", {cx: cx, cy: cy, fill: "#fff", stroke: "#111", "stroke-width": 1},
            arrowLayer);
        } else {
          // a white shaft on a dark outline reads on light and dark cells alike
          const w = Math.max(1.6, cs * 0.06);
          node = el("g", {}, arrowLayer);
          el("line", {x1: cx, y1: cy, x2: cx, y2: cy, stroke: "#000", "stroke-width": w + 2,
            "stroke-linecap": "round"}, node);
          el("line", {x1: cx, y1: cy, x2: cx, y2: cy, stroke: "#fff", "stroke-width": w,
            "stroke-linecap": "round", "marker-end": "url(#head)"}, node);
        }
        node.classList.add("arrow");
        hoverable(node, () => data.states[i] + ", " + data.actions[i][j] + ": P(optimal) = " +
          fmt(choice(i, j)) + " ± " + fmt(choiceSE(i, j)));
        // moves start clear of the centre, where the stay dot is, so opposite arrows never meet
        arrows.push({state: i, action: j, node: node, direction: direction, cx: cx, cy: cy,
          gap: cs * 0.1, reach: cs * 0.34});
      });
    });
    map.appendChild(arrowLayer);
    legendX = width + 14; legendTop = 8; legendHeight = Math.max(height, 160) - 16;
  }

  const DIRECTION = {up: [0, -1], down: [0, 1], left: [-1, 0], right: [1, 0]};
  function updateArrows() {
    arrows.forEach((a) => {
      const p = choice(a.state, a.action);
      a.node.style.display = p > 1e-9 ? "" : "none";
      if (a.direction === "stay") {
        a.node.setAttribute("r", (a.gap * 1.3 * Math.sqrt(p)).toFixed(2));
      } else {
        const d = DIRECTION[a.direction];
        for (const line of a.node.children) {
          line.setAttribute("x1", (a.cx + d[0] * a.gap).toFixed(2));
          line.setAttribute("y1", (a.cy + d[1] * a.gap).toFixed(2));
          line.setAttribute("x2", (a.cx + d[0] * (a.gap + a.reach * p)).toFixed(2));
          line.setAttribute("y2", (a.cy + d[1] * (a.gap + a.reach * p)).toFixed(2));
        }
      }
    });
  }

  function drawGraph() {
    const width = 580, height = 440, pad = 44, radius = 17;
    map.setAttribute("width", width + 90);
    map.setAttribute("height", height);
    const at = data.pos.map((p) => [pad + p[0] * (width - 2 * pad), pad + p[1] * (height - 2 * pad)]);
    const edgeLayer = el("g", {id: "arrows"}, map);
    data.pairs.forEach((pairs, i) => {
      pairs.forEach((pair, j) => {
        pair[1].forEach((outcome) => {
          const t = outcome[0], q = outcome[1];
          let node;
          if (t === i) {
            node = el("path", {d: "M " + (at[i][0] - 8) + " " + (at[i][1] - radius + 2) +
              " a 10 12 0 1 1 16 0", fill: "none", stroke: "#555", "marker-end": "url(#edge-head)"},
              edgeLayer);
          } else {
            const dx = at[t][0] - at[i][0], dy = at[t][1] - at[i][1];
            const length = Math.max(1e-9, Math.hypot(dx, dy));
            const ux = dx / length, uy = dy / length;
            node = el("line", {x1: at[i][0] + ux * radius, y1: at[i][1] + uy * radius,
              x2: at[t][0] - ux * (radius + 4), y2: at[t][1] - uy * (radius + 4), stroke: "#555",
              "marker-end": "url(#edge-head)"}, edgeLayer);
          }
          node.setAttribute("stroke-opacity", (0.35 + 0.65 * q).toFixed(3));
          node.classList.add("arrow");
          hoverable(node, () => data.states[i] + " → " + data.states[t] + " by " +
            data.actions[i][j] + (q < 1 ? " (probability " + q + ")" : "") +
            ": P(optimal) = " + fmt(choice(i, j)) + " ± " + fmt(choiceSE(i, j)));
          arrows.push({state: i, action: j, node: node, direction: null});
        });
      });
    });
    const highlighted = new Set(data.highlighted.map((h) => h[0]));
    at.forEach((p, i) => {
      const circle = el("circle", {cx: p[0], cy: p[1], r: radius, class: "cell",
        stroke: highlighted.has(i) ? "#e6550d" : "#333", "stroke-width": highlighted.has(i) ? 2.5 : 1,
        "data-state": i}, map);
      hoverable(circle, () => describe(i));
      circle.addEventListener("click", () => select(i));
      shapes.push(circle);
      el("text", {x: p[0], y: p[1] + radius + 12, "font-size": 11, "text-anchor": "middle",
        "pointer-events": "none"}, map).textContent = data.states[i];
      labels.push(el("text", {x: p[0], y: p[1] + 4, "font-size": 10, "text-anchor": "middle",
        "pointer-events": "none"}, map));
    });
    legendX = width + 14; legendTop = 8; legendHeight = height - 16;
  }
  function updateEdges() {
    arrows.forEach((a) => {
      a.node.setAttribute("stroke-width", (0.8 + 4 * choice(a.state, a.action)).toFixed(2));
    });
  }

  function drawLegend() {
    el("rect", {x: legendX, y: legendTop, width: 14, height: legendHeight, fill: "url(#scale)",
      stroke: "#999"}, map);
    legendHi = el("text", {x: legendX + 18, y: legendTop + 9, "font-size": 10}, map);
    legendLo = el("text", {x: legendX + 18, y: legendTop + legendHeight, "font-size": 10}, map);
    el("text", {x: legendX + 18, y: legendTop + legendHeight / 2, "font-size": 10}, map).textContent = "POWER";
  }

  function update() {
    const g = data.gammas[current];
    document.getElementById("gamma-value").textContent = fmtGamma(g);
    shapes.forEach((shape, i) => {
      const t = scaleT(mean(i));
      shape.setAttribute("fill", colourAt(t));
      shape.setAttribute("data-value", String(mean(i)));
      if (labels[i]) {
        labels[i].textContent = fmt(mean(i), 3);
        labels[i].setAttribute("fill", t > 0.62 || data.kind === "graph" && t > 0.45 ? "#000" : "#fff");
      }
    });
    if (data.kind === "grid") updateArrows(); else updateEdges();
    const s = data.scale[current];
    legendHi.textContent = fmt(s[1], 3);
    legendLo.textContent = fmt(s[0], 3);
    const note = document.getElementById("scale-note");
    const clipped = [];
    if (s[2]) clipped.push(s[2] + " below " + fmt(s[0], 3));
    if (s[3]) clipped.push(s[3] + " above " + fmt(s[1], 3));
    note.textContent = "γ = " + fmtGamma(g) + ". Colour scale " + fmt(s[0], 3) + " to " +
      fmt(s[1], 3) + (clipped.length ? "; clipped to its end colours so that one extreme " +
      "value does not wash out the rest: " + clipped.join(", ") + "." :
      " (the full range of POWER at this γ).");
    note.setAttribute("data-clipped", String(s[2] + s[3]));
    drawTable();
    drawDetail();
    drawOverview();
  }

  // ---- curves --------------------------------------------------------------------------
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];
  function chart(series, options) {
    const width = options.width || 440, height = options.height || 230;
    const left = 46, right = 110, top = 14, bottom = 34;
    const xs = data.gammas, x0 = xs[0], x1 = xs[xs.length - 1] > x0 ? xs[xs.length - 1] : x0 + 1;
    let lo = options.ymin, hi = options.ymax;
    if (lo === undefined) {
      lo = Infinity; hi = -Infinity;
      series.forEach((s) => s.y.forEach((v, k) => {
        lo = Math.min(lo, s.lo ? s.lo[k] : v); hi = Math.max(hi, s.hi ? s.hi[k] : v);
      }));
      if (!(hi > lo)) { lo -= 0.05; hi += 0.05; }
      const margin = 0.06 * (hi - lo); lo -= margin; hi += margin;
    }
    const X = (x) => left + (x - x0) / (x1 - x0) * (width - left - right);
    const Y = (y) => top + (hi - y) / (hi - lo) * (height - top - bottom);
    const svg = el("svg", {width: width, height: height, "font-size": 10});
    el("rect", {x: left, y: top, width: width - left - right, height: height - top - bottom,
      fill: "none", stroke: "#999"}, svg);
    // y ticks at round values (1, 2 or 5 times a power of ten) inside the data's range
    // (inside [0, 1] for probabilities, whose axis reaches a little beyond it)
    const tickLo = options.tickMin !== undefined ? options.tickMin : lo;
    const tickHi = options.tickMax !== undefined ? options.tickMax : hi;
    const raw = (tickHi - tickLo) / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((f) => f >= raw * 0.999);
    const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / power === 2.5 ? 1 : 0));
    for (let yv = Math.ceil(tickLo / step - 1e-9) * step; yv <= tickHi + step * 1e-9; yv += step) {
      el("text", {x: left - 4, y: Y(yv) + 3, "text-anchor": "end", class: "ytick"}, svg)
        .textContent = (Math.abs(yv) < step * 1e-9 ? 0 : yv).toFixed(digits);
    }
    for (let k = 0; k <= 4; k++) {
      const xv = x0 + k * (x1 - x0) / 4;
      el("text", {x: X(xv), y: height - bottom + 13, "text-anchor": "middle"}, svg).textContent =
        fmtGamma(Number(xv.toFixed(3)));
    }
    el("text", {x: (left + width - right) / 2, y: height - 4, "text-anchor": "middle"}, svg)
      .textContent = "γ";
    el("text", {x: 10, y: top + (height - top - bottom) / 2, "text-anchor": "middle",
      transform: "rotate(-90 10 " + (top + (height - top - bottom) / 2) + ")"}, svg)
      .textContent = options.ylabel || "";
    const cursor = X(data.gammas[current]);
    el("line", {x1: cursor, x2: cursor, y1: top, y2: height - bottom, stroke: "#777",
      "stroke-dasharray": "2 3", class: "cursor"}, svg);
    series.forEach((s, k) => {
      const colour = s.colour || PALETTE[k % PALETTE.length];
      if (s.lo) {
        const outline = xs.map((x, m) => X(x) + "," + Y(s.hi[m]))
          .concat(xs.map((x, m) => X(x) + "," + Y(s.lo[m])).reverse());
        el("polygon", {points: outline.join(" "), fill: colour, opacity: 0.18, class: "band"}, svg);
      }
      el("polyline", {points: xs.map((x, m) => X(x) + "," + Y(s.y[m])).join(" "), fill: "none",
        stroke: colour, "stroke-width": 1.6, class: "curve", "data-name": s.name}, svg);
      xs.forEach((x, m) => {
        const dot = el("circle", {cx: X(x), cy: Y(s.y[m]), r: 2.4, fill: colour}, svg);
        hoverable(dot, () => s.name + " at γ = " + fmtGamma(x) + ": " + fmt(s.y[m]) +
          (s.se ? " ± " + fmt(s.se[m]) : ""));
      });
      el("text", {x: width - right + 6, y: top + 10 + 13 * k, fill: colour}, svg).textContent = s.name;
    });
    (options.marks || []).forEach((mark, k) => {
      const x = X(data.gammas[mark[0]]);
      const anchorEnd = x > (left + width - right) / 2;
      if (mark[2]) {
        el("line", {x1: x, x2: x, y1: top, y2: height - bottom, stroke: "#999",
          "stroke-dasharray": "1 2"}, svg);
      }
      el("text", {x: x + (anchorEnd ? -3 : 3), y: top + 11 + 11 * (k % 2),
        "text-anchor": anchorEnd ? "end" : "start", class: "lead"}, svg).textContent =
        mark[1] + " leads";
    });
    return svg;
  }
  // One colour per action name on every cell: the names in order of first appearance,
  // after the POWER curve's colour (PALETTE[0]).
  const actionRank = new Map();
  data.actions.forEach((names) => names.forEach((a) => {
    if (!actionRank.has(a)) actionRank.set(a, actionRank.size);
  }));
  function actionColour(name) {
    return PALETTE[1 + actionRank.get(name) % (PALETTE.length - 1)];
  }
  function band(means, ses) {
    return {lo: means.map((m, k) => m - data.z * ses[k]), hi: means.map((m, k) => m + data.z * ses[k])};
  }
  function powerSeries(i) {
    const y = data.power.mean.map((row) => row[i]), se = data.power.stderr.map((row) => row[i]);
    return Object.assign({name: data.states[i], y: y, se: se}, band(y, se));
  }

  function drawDetail() {
    const i = selected;
    document.getElementById("detail-title").textContent = "State " + data.states[i];
    const box = document.getElementById("detail-curves");
    box.replaceChildren();
    const powerCurve = powerSeries(i);
    powerCurve.name = "POWER";
    box.appendChild(chart([powerCurve], {ylabel: "POWER"}));
    if (data.actions[i].length > 1) {
      const series = data.actions[i].map((a, j) => {
        const y = data.optimality.mean.map((row) => row[pairIndex(i, j)]);
        const se = data.optimality.stderr.map((row) => row[pairIndex(i, j)]);
        return Object.assign({name: a, y: y, se: se, colour: actionColour(a)}, band(y, se));
      });
      const marks = [];
      let previous = -1;
      data.leads[i].forEach((leader, m) => {
        if (leader < 0 || leader === previous) return;
        marks.push([m, data.actions[i][leader], previous >= 0]);
        previous = leader;
      });
      box.appendChild(chart(series, {ymin: -0.02, ymax: 1.02, tickMin: 0, tickMax: 1, marks: marks,
        ylabel: "P(optimal)"}));
      html("p", "\"X leads\" marks the first γ of the sweep at which X's optimality " +
        "probability exceeds every other action's by more than the " +
        Math.round(100 * data.confidence) + "% band of the difference (dotted: a change of " +
        "leader); there is no mark where the curves are within noise.", box).className = "note";
    }
    const table = document.getElementById("detail-table");
    table.replaceChildren();
    const t = html("table", undefined, table);
    const header = html("tr", undefined, t);
    ["action", "P(optimal) at γ = " + fmtGamma(data.gammas[current]), "stderr"].forEach(
      (h) => html("th", h, header));
    data.actions[i].forEach((a, j) => {
      const row = html("tr", undefined, t);
      html("td", a, row).className = "label";
      html("td", fmt(choice(i, j)), row);
      html("td", fmt(choiceSE(i, j)), row);
    });
  }

  function drawOverview() {
    const box = document.getElementById("overview");
    box.replaceChildren();
    const chosen = data.highlighted.length ? data.highlighted.map((h) => h[0]) : [0];
    box.appendChild(chart(chosen.map(powerSeries), {width: 640, height: 280, ylabel: "POWER"}));
  }

  function drawTable() {
    const t = document.getElementById("power-table");
    t.replaceChildren();
    const header = html("tr", undefined, t);
    ["state", "POWER at γ = " + fmtGamma(data.gammas[current]), "stderr",
      Math.round(100 * data.confidence) + "% interval"].forEach((h) => html("th", h, header));
    for (let i = 0; i < nStates; i++) {
      const row = html("tr", undefined, t);
      const m = mean(i), e = stderr(i);
      html("td", data.states[i], row).className = "label";
      html("td", fmt(m), row);
      html("td", fmt(e), row);
      html("td", "[" + fmt(m - data.z * e) + ", " + fmt(m + data.z * e) + "]", row);
    }
  }

  function drawHighlights() {
    const list = document.getElementById("highlights");
    data.highlighted.forEach((h) => {
      const item = html("li", undefined, list);
      const link = html("a", data.states[h[0]], item);
      link.href = "#map";
      link.addEventListener("click", () => select(h[0]));
      item.appendChild(document.createTextNode(": " + h[1]));
    });
  }

  // ---- controls ------------------------------------------------------------------------
  slider.addEventListener("input", () => { current = Number(slider.value); update(); });
  const play = document.getElementById("play");
  play.addEventListener("click", () => {
    if (timer !== null) {
      clearInterval(timer); timer = null; play.textContent = "▶ play";
      return;
    }
    play.textContent = "❚❚ pause";
    timer = setInterval(() => {
      current = (current + 1) % data.gammas.length;
      slider.value = String(current);
      update();
    }, 900);
  });
  document.getElementById("show-arrows").addEventListener("change", (e) => {
    document.getElementById("arrows").style.display = e.target.checked ? "" : "none";
  });

  if (data.kind === "grid") drawGrid(); else drawGraph();
  drawLegend();
  drawHighlights();
  select(selected);
  update();
  document.body.setAttribute("data-ready", "true");
})();
