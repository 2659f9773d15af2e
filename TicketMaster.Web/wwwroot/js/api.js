// Calls this site's /v1 proxy: same origin, the session cookie goes along and the proxy adds the bearer token.
export async function send(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { ok: response.ok, status: response.status, json };
}

/** What a problem answer tells the person, in one sentence. */
export function explain(result) {
  if (result.status === 401) return "Sign in to continue.";
  const problem = result.json ?? {};
  if (problem.errors) {
    return Object.entries(problem.errors).map(([field, messages]) => `${field.replaceAll("_", " ")}: ${messages.join(", ")}`).join(". ");
  }
  return [problem.title, problem.detail].filter(Boolean).join(": ") || `Something went wrong (${result.status}).`;
}

export function money(cents) {
  return (cents / 100).toLocaleString("en-US", { style: "currency", currency: "USD" });
}

/** mm:ss until a time, updated every second in the element; calls done once it is reached. */
export function countdown(element, until, done) {
  const end = new Date(until).getTime();
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    element.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    if (left === 0) { clearInterval(timer); done?.(); }
  };
  const timer = setInterval(tick, 1000);
  tick();
  return () => clearInterval(timer);
}
