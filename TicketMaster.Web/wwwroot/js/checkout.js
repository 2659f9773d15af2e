// The hold's countdown; with Stripe, the card element turns the card into a payment method before the form posts.
import { countdown, send } from "./api.js";

const left = document.querySelector("[data-hold-until]");
if (left) countdown(left, left.dataset.holdUntil, () => location.reload());

// A hot sale's hold lasts only while this page keeps it alive, so seats a fan walked away from go back to the sale
// within Booking:HoldPresence (20 s). Each keep-alive says when the hold would lapse; the next goes well before that.
const keep = document.querySelector("[data-keep-alive]");
if (keep) {
  const path = `/v1/booking/reservations/${encodeURIComponent(keep.dataset.keepAlive)}/keep-alive`;
  const beat = async () => {
    const result = await send("POST", path, {});
    if (result.status === 410) { location.reload(); return; }
    const lapsesIn = result.ok ? new Date(result.json.expires_at).getTime() - Date.now() : 3000;
    setTimeout(beat, Math.min(15000, Math.max(1000, lapsesIn / 3)));
  };
  beat();
}

const card = document.getElementById("card-element");
if (card && window.Stripe) {
  const stripe = window.Stripe(card.dataset.publishableKey);
  const element = stripe.elements().create("card");
  element.mount(card);
  const form = document.getElementById("pay-form");
  form.addEventListener("submit", async e => {
    if (document.getElementById("payment-method").value) return;
    e.preventDefault();
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: "card", card: element });
    if (error) { document.getElementById("card-problem").textContent = error.message; return; }
    document.getElementById("payment-method").value = paymentMethod.id;
    form.submit();
  });
}
