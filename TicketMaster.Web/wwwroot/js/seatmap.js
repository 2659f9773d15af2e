// The live seat map: every seat drawn at its place on one canvas (sections side by side, rows top to bottom), its
// colour its state, kept current over SSE. Drawing is one pass over typed arrays, so 50,000 seats redraw in a few
// milliseconds; a click finds its seat by arithmetic, not by searching. The list alternative below the canvas offers
// the same choice to keyboards and screen readers, one row at a time.
import { send, explain, money, countdown } from "./api.js";

const AVAILABLE = 0, HELD = 1, SOLD = 2, YOURS = 3, CHOSEN = 4;
const NAMES = ["available", "held", "sold", "yours", "chosen"];
const COLOURS = ["#1b7f3b", "#b35c00", "#b9b9c6", "#0b57d0", "#0b57d0"];
const SEAT = 10, GAP = 2, SECTION_GAP = 24, LABEL = 18;

const root = document.getElementById("seats");
const eventId = Number(root.dataset.eventId);
const canvas = document.getElementById("seatmap");
const context = canvas.getContext("2d");
const live = document.getElementById("seat-news");
const problem = document.getElementById("seat-problem");
const chosenList = document.getElementById("chosen");
const reserveButton = document.getElementById("reserve");
const bestButton = document.getElementById("best");
const quantity = document.getElementById("quantity");
const holdBox = document.getElementById("hold");
const passKey = `tm.pass.${eventId}`;
const holdKey = `tm.hold.${eventId}`;

let seats = [];          // {id, section, row, number, price}
let state;               // Uint8Array by seat index
let x, y;                // Float32Array by seat index
const indexById = new Map();
const sections = [];     // {name, x, y, width, height, rows: [{label, seats: [index]}]}
const chosen = new Set();
let view = { scale: 1, dx: 0, dy: 0 };
let width = 0, height = 0;
let focusIndex = -1;

function say(text) { live.textContent = text; }
function showProblem(text) { problem.textContent = text; problem.hidden = !text; }

async function load() {
  const answer = await send("GET", `/v1/booking/events/${eventId}/seats`);
  if (!answer.ok) { showProblem(explain(answer)); return false; }
  seats = answer.json.seats.map(s => ({ id: s.seat_id, section: s.section, row: s.row, number: s.number, price: s.price_cents, status: s.status }));
  state = new Uint8Array(seats.length);
  x = new Float32Array(seats.length);
  y = new Float32Array(seats.length);
  layout();
  seats.forEach((s, i) => { indexById.set(s.id, i); state[i] = s.status === "sold" ? SOLD : s.status === "held" ? HELD : AVAILABLE; });
  restoreHold();
  return true;
}

// Sections in the order the API lists them, left to right, wrapping to keep the map roughly square.
function layout() {
  const bySection = new Map();
  seats.forEach((s, i) => {
    let section = bySection.get(s.section);
    if (!section) { section = { name: s.section, rows: new Map() }; bySection.set(s.section, section); }
    let row = section.rows.get(s.row);
    if (!row) { row = []; section.rows.set(s.row, row); }
    row.push(i);
  });
  const blocks = [...bySection.values()].map(section => {
    const rows = [...section.rows.entries()].map(([label, indexes]) => ({ label, seats: indexes.sort((a, b) => seats[a].number - seats[b].number) }));
    const longest = Math.max(...rows.map(r => r.seats.length));
    return { name: section.name, rows, width: longest * (SEAT + GAP), height: LABEL + rows.length * (SEAT + GAP) };
  });
  const total = blocks.reduce((sum, b) => sum + b.width * b.height, 0);
  const lineWidth = Math.max(Math.sqrt(total) * 1.6, Math.max(...blocks.map(b => b.width)));
  let cx = 0, cy = 0, lineHeight = 0;
  for (const block of blocks) {
    if (cx > 0 && cx + block.width > lineWidth) { cx = 0; cy += lineHeight + SECTION_GAP; lineHeight = 0; }
    block.x = cx; block.y = cy;
    block.rows.forEach((row, r) => row.seats.forEach((index, n) => {
      x[index] = cx + n * (SEAT + GAP);
      y[index] = cy + LABEL + r * (SEAT + GAP);
    }));
    cx += block.width + SECTION_GAP;
    lineHeight = Math.max(lineHeight, block.height);
    sections.push(block);
  }
}

function fit() {
  const rect = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  width = rect.width; height = rect.height;
  canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  const right = Math.max(...sections.map(s => s.x + s.width)), bottom = Math.max(...sections.map(s => s.y + s.height));
  const scale = Math.min(width / (right + 20), height / (bottom + 20));
  view = { scale, dx: (width - right * scale) / 2, dy: (height - bottom * scale) / 2 };
}

let pending = false;
function draw() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    context.clearRect(0, 0, width, height);
    context.save();
    context.translate(view.dx, view.dy);
    context.scale(view.scale, view.scale);
    context.fillStyle = "#1a1a2e";
    context.font = `${14 / view.scale}px system-ui, sans-serif`; // 14 px on screen at any zoom
    for (const s of sections) context.fillText(s.name, s.x, s.y + 12);
    // One fill per state: five path batches instead of 50,000 style changes.
    for (let st = 0; st <= CHOSEN; st++) {
      context.fillStyle = COLOURS[st];
      context.beginPath();
      for (let i = 0; i < state.length; i++) if (state[i] === st) context.rect(x[i], y[i], SEAT, SEAT);
      context.fill();
    }
    context.strokeStyle = "#1a1a2e"; context.lineWidth = 1.5 / view.scale;
    context.beginPath();
    for (let i = 0; i < state.length; i++) if (state[i] === YOURS || state[i] === CHOSEN) context.rect(x[i], y[i], SEAT, SEAT);
    context.stroke();
    if (focusIndex >= 0) {
      context.strokeStyle = "#ffbf47"; context.lineWidth = 3 / view.scale;
      context.strokeRect(x[focusIndex] - 2, y[focusIndex] - 2, SEAT + 4, SEAT + 4);
    }
    context.restore();
  });
}

function seatAt(px, py) {
  const mx = (px - view.dx) / view.scale, my = (py - view.dy) / view.scale;
  for (const s of sections) {
    if (mx < s.x || mx > s.x + s.width || my < s.y + LABEL || my > s.y + s.height) continue;
    const row = s.rows[Math.floor((my - s.y - LABEL) / (SEAT + GAP))];
    const index = row?.seats[Math.floor((mx - s.x) / (SEAT + GAP))];
    return index ?? -1;
  }
  return -1;
}

function describe(index) {
  const s = seats[index];
  return `${s.section}, row ${s.row}, seat ${s.number}, ${money(s.price)}`;
}

function toggle(index) {
  if (index < 0) return;
  if (state[index] === CHOSEN) { state[index] = AVAILABLE; chosen.delete(index); say(`Unselected ${describe(index)}`); }
  else if (state[index] === AVAILABLE) { state[index] = CHOSEN; chosen.add(index); say(`Selected ${describe(index)}`); }
  else { say(`${describe(index)} is ${NAMES[state[index]]}`); return; }
  renderChosen();
  syncList(index);
  draw();
}

function renderChosen() {
  chosenList.replaceChildren(...[...chosen].map(i => Object.assign(document.createElement("li"), { textContent: describe(i) })));
  const total = [...chosen].reduce((sum, i) => sum + seats[i].price, 0);
  document.getElementById("chosen-total").textContent = chosen.size ? `${chosen.size} selected, ${money(total)}` : "No seats selected";
  reserveButton.disabled = chosen.size === 0;
}

// A change from the stream: held, released, expired or sold seats (or the opening snapshot).
function apply(type, ids) {
  const next = type === "sold" ? SOLD : type === "held" ? HELD : AVAILABLE;
  const mine = new Set(currentHold()?.seat_ids ?? []);
  for (const id of ids) {
    const index = indexById.get(id);
    if (index === undefined) continue;
    if (mine.has(id) && type === "held") { state[index] = YOURS; continue; }
    if (state[index] === CHOSEN && next !== AVAILABLE) { chosen.delete(index); say(`${describe(index)} was just taken`); renderChosen(); }
    if (state[index] !== CHOSEN) state[index] = next;
    syncList(index);
  }
  draw();
}

function follow() {
  const stream = new EventSource(`/v1/booking/events/${eventId}/seats/stream`);
  stream.addEventListener("snapshot", e => {
    const snapshot = JSON.parse(e.data);
    const taken = new Set([...snapshot.held, ...snapshot.sold]);
    for (let i = 0; i < seats.length; i++) if (!taken.has(seats[i].id) && (state[i] === HELD || state[i] === SOLD)) state[i] = AVAILABLE;
    apply("held", snapshot.held);
    apply("sold", snapshot.sold);
  });
  for (const type of ["held", "released", "expired", "sold"]) {
    stream.addEventListener(type, e => apply(type, JSON.parse(e.data).seat_ids));
  }
}

// ---- the list alternative: one row's seats as checkboxes ----
const sectionSelect = document.getElementById("list-section");
const rowSelect = document.getElementById("list-row");
const rowSeats = document.getElementById("list-seats");

function fillList() {
  sectionSelect.replaceChildren(...sections.map((s, i) => new Option(`${s.name} (${s.rows.length} rows)`, i)));
  fillRows();
}
function fillRows() {
  const section = sections[sectionSelect.value];
  rowSelect.replaceChildren(...section.rows.map((r, i) => new Option(`Row ${r.label}`, i)));
  fillSeats();
}
function fillSeats() {
  const row = sections[sectionSelect.value].rows[rowSelect.value];
  rowSeats.replaceChildren(...row.seats.map(index => {
    const label = document.createElement("label");
    const box = Object.assign(document.createElement("input"), { type: "checkbox", value: index });
    box.dataset.seatIndex = index;
    box.addEventListener("change", () => toggle(index));
    label.append(box, ` Seat ${seats[index].number}, ${money(seats[index].price)} `, Object.assign(document.createElement("span"), { className: "seat-state" }));
    return label;
  }));
  row.seats.forEach(syncList);
}
function syncList(index) {
  const box = rowSeats.querySelector(`input[data-seat-index="${index}"]`);
  if (!box) return;
  box.checked = state[index] === CHOSEN || state[index] === YOURS;
  box.disabled = state[index] !== AVAILABLE && state[index] !== CHOSEN;
  box.parentElement.querySelector(".seat-state").textContent = `(${NAMES[state[index]] === "chosen" ? "selected" : NAMES[state[index]]})`;
}

// ---- holding ----
function currentHold() {
  const hold = JSON.parse(sessionStorage.getItem(holdKey) ?? "null");
  return hold && new Date(hold.expires_at) > new Date() ? hold : null;
}

function restoreHold() {
  const hold = currentHold();
  if (hold) showHold(hold);
}

let stopCountdown = null;
function showHold(hold) {
  sessionStorage.setItem(holdKey, JSON.stringify(hold));
  for (const id of hold.seat_ids) { const i = indexById.get(id); if (i !== undefined) { chosen.delete(i); state[i] = YOURS; syncList(i); } }
  renderChosen();
  holdBox.hidden = false;
  document.getElementById("hold-seats").replaceChildren(...hold.seats.map(s =>
    Object.assign(document.createElement("li"), { textContent: `${s.section}, row ${s.row}, seat ${s.number}, ${money(s.price_cents)}` })));
  document.getElementById("checkout").href = `/checkout/${encodeURIComponent(hold.reservation_id)}`;
  stopCountdown?.();
  stopCountdown = countdown(document.getElementById("hold-left"), hold.expires_at, () => {
    sessionStorage.removeItem(holdKey);
    holdBox.hidden = true;
    say("Your hold ended; the seats are free again.");
  });
  say(`Held ${hold.seats.length} seats until ${new Date(hold.expires_at).toLocaleTimeString()}`);
  draw();
}

async function reserve(body) {
  showProblem("");
  const pass = sessionStorage.getItem(passKey);
  const answer = await send("POST", "/v1/booking/reserve", { event_id: eventId, ...body, ...(pass ? { queue_pass: pass } : {}) });
  if (answer.ok) { showHold(answer.json); document.getElementById("checkout").focus(); return; }
  if (answer.status === 401) {
    showProblem("Sign in to reserve seats.");
    document.getElementById("sign-in-to-reserve").hidden = false;
    return;
  }
  showProblem(explain(answer));
  for (const id of answer.json?.conflicting_seat_ids ?? []) {
    const i = indexById.get(id);
    if (i !== undefined && state[i] === CHOSEN) { chosen.delete(i); state[i] = HELD; syncList(i); }
  }
  renderChosen();
  draw();
}

reserveButton.addEventListener("click", () => reserve({ seat_ids: [...chosen].map(i => seats[i].id) }));
bestButton.addEventListener("click", () => reserve({ quantity: Number(quantity.value) }));

// ---- pointer and keyboard on the canvas ----
let drag = null;
canvas.addEventListener("pointerdown", e => { drag = { x: e.clientX, y: e.clientY, dx: view.dx, dy: view.dy, moved: false }; canvas.setPointerCapture(e.pointerId); });
canvas.addEventListener("pointermove", e => {
  if (!drag) return;
  if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 4) drag.moved = true;
  if (drag.moved) { view.dx = drag.dx + e.clientX - drag.x; view.dy = drag.dy + e.clientY - drag.y; draw(); }
});
canvas.addEventListener("pointerup", e => {
  const wasDrag = drag?.moved;
  drag = null;
  if (!wasDrag) { const rect = canvas.getBoundingClientRect(); const index = seatAt(e.clientX - rect.left, e.clientY - rect.top); focusIndex = index; toggle(index); }
});
canvas.addEventListener("wheel", e => {
  e.preventDefault();
  const rect = canvas.getBoundingClientRect();
  zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, e.clientX - rect.left, e.clientY - rect.top);
}, { passive: false });
function zoom(factor, px = width / 2, py = height / 2) {
  view.dx = px - (px - view.dx) * factor; view.dy = py - (py - view.dy) * factor; view.scale *= factor; draw();
}
document.getElementById("zoom-in").addEventListener("click", () => zoom(1.5));
document.getElementById("zoom-out").addEventListener("click", () => zoom(1 / 1.5));
canvas.addEventListener("keydown", e => {
  if (focusIndex < 0) focusIndex = 0;
  const here = { x: x[focusIndex], y: y[focusIndex] };
  const nearest = (dxSign, dySign) => {
    let best = -1, bestScore = Infinity;
    for (let i = 0; i < seats.length; i++) {
      const ddx = x[i] - here.x, ddy = y[i] - here.y;
      if ((dxSign && Math.sign(ddx) !== dxSign) || (dySign && Math.sign(ddy) !== dySign)) continue;
      const score = dxSign ? Math.abs(ddx) + Math.abs(ddy) * 8 : Math.abs(ddy) + Math.abs(ddx) * 8;
      if (score > 0 && score < bestScore) { bestScore = score; best = i; }
    }
    return best;
  };
  const moves = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
  if (moves[e.key]) {
    e.preventDefault();
    const next = nearest(...moves[e.key]);
    if (next >= 0) { focusIndex = next; say(`${describe(next)}, ${NAMES[state[next]]}`); draw(); }
  } else if (e.key === "Enter" || e.key === " ") {
    e.preventDefault(); toggle(focusIndex);
  }
});
window.addEventListener("resize", () => { fit(); draw(); });
sectionSelect.addEventListener("change", fillRows);
rowSelect.addEventListener("change", fillSeats);

// For tests and tools: the state the map shows for a seat.
window.ticketmasterSeatMap = {
  statusOf: id => NAMES[state[indexById.get(id)]],
  seatIds: () => seats.map(s => s.id),
};

if (await load()) {
  fit();
  fillList();
  renderChosen();
  draw();
  follow();
  root.dataset.ready = "true";
}
