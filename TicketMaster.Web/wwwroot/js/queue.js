// The waiting room: joins (idempotent: the same place on every visit), then follows the place over SSE until a pass
// comes, and goes on to the seats with it. The pass is this tab's (sessionStorage) and lapses on its own.
import { send, explain } from "./api.js";

const root = document.getElementById("queue");
const eventId = root.dataset.eventId;
const status = document.getElementById("queue-status");
const position = document.getElementById("queue-position");
const wait = document.getElementById("queue-wait");

function show(place) {
  position.textContent = place.position.toLocaleString("en-US");
  const seconds = Math.round(place.estimated_wait_seconds);
  wait.textContent = seconds < 60 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

const joined = await send("POST", `/v1/booking/events/${eventId}/queue`, {});
if (!joined.ok) {
  status.textContent = explain(joined);
} else {
  show(joined.json);
  const stream = new EventSource(`/v1/booking/events/${eventId}/queue/${encodeURIComponent(joined.json.queue_id)}/stream`);
  stream.addEventListener("position", e => show(JSON.parse(e.data)));
  stream.addEventListener("pass", e => {
    const place = JSON.parse(e.data);
    stream.close();
    sessionStorage.setItem(`tm.pass.${eventId}`, place.pass);
    status.textContent = "It is your turn: taking you to the seats.";
    location.assign(`/events/${eventId}/seats`);
  });
  stream.addEventListener("sold_out", () => { stream.close(); status.textContent = "Sold out: every seat is gone."; });
  stream.addEventListener("expired", () => { stream.close(); status.textContent = "Your pass lapsed unused. Reload to join again at the back, once."; });
}
