// The organizer's live figures: the sales stream sends the whole summary whenever it changes.
import { money } from "./api.js";

const root = document.getElementById("sales");
const chart = document.getElementById("chart");
const number = n => n.toLocaleString("en-US");

function show(s) {
  document.getElementById("sold").textContent = number(s.sold);
  document.getElementById("held").textContent = number(s.held);
  document.getElementById("available").textContent = number(s.available);
  document.getElementById("revenue").textContent = money(s.revenue_cents);
  document.getElementById("sections").replaceChildren(...s.sections.map(section => {
    const row = document.createElement("tr");
    for (const value of [section.section, number(section.sold), number(section.held), number(section.available), money(section.revenue_cents)]) {
      row.append(Object.assign(document.createElement("td"), { textContent: value }));
    }
    return row;
  }));
  const minutes = s.per_minute.slice(-60);
  const most = Math.max(1, ...minutes.map(m => m.tickets));
  const width = 600 / Math.max(minutes.length, 1);
  chart.replaceChildren(...minutes.map((m, i) => {
    const bar = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    const h = (m.tickets / most) * 150;
    Object.entries({ x: i * width + 1, y: 160 - h, width: Math.max(width - 2, 1), height: h, fill: "#0b57d0" }).forEach(([k, v]) => bar.setAttribute(k, v));
    const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
    title.textContent = `${new Date(m.minute).toLocaleTimeString()}: ${m.tickets} tickets`;
    bar.append(title);
    return bar;
  }));
  chart.setAttribute("aria-label", `Tickets sold per minute, last ${minutes.length} minutes, at most ${most} a minute`);
}

const stream = new EventSource(`/v1/booking/events/${root.dataset.eventId}/sales/stream`);
stream.addEventListener("sales", e => show(JSON.parse(e.data)));
