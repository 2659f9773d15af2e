// Every <time data-countdown="iso"> shows the time left until it, then reloads the page once it is reached.
import { countdown } from "./api.js";

for (const element of document.querySelectorAll("[data-countdown]")) {
  const label = document.createElement("span");
  label.className = "countdown";
  label.setAttribute("aria-label", "Time left");
  element.after(" (in ", label, ")");
  countdown(label, element.dataset.countdown, () => setTimeout(() => location.reload(), 1000));
}
