// The hold's countdown; with Stripe, the card element turns the card into a payment method before the form posts.
import { countdown } from "./api.js";

const left = document.querySelector("[data-hold-until]");
if (left) countdown(left, left.dataset.holdUntil, () => location.reload());

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
