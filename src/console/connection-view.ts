// What the page shows of the connection: `#connection-state` (one exact word), a detail line,
// and the token form, shown only while the bot refuses the page.
import type { Connection } from "./connection.ts";
import { byId } from "./dom.ts";

/** Wires `#connection-state`, `#connection-detail` and `#token-form`. */
export function setupConnectionView(connection: Connection): void {
  const state = byId("connection-state");
  const detail = byId("connection-detail");
  const form = byId<HTMLFormElement>("token-form");
  const input = byId<HTMLInputElement>("token-input");
  const forget = byId<HTMLButtonElement>("token-forget");
  const main = byId("main");

  connection.listen({
    state: (now, why) => {
      state.textContent = now;
      state.dataset.state = now;
      detail.textContent = why;
      form.hidden = now !== "unauthorized";
      forget.hidden = !connection.hasToken;
      // Nothing to drive without a connection the bot accepted.
      main.hidden = now === "unauthorized";
      if (now === "unauthorized") input.focus();
    },
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault(); // the page never navigates, and the token never goes into a URL
    const token = input.value;
    input.value = "";
    if (token.trim() !== "") connection.useToken(token);
  });
  forget.addEventListener("click", () => connection.forgetToken());
}
