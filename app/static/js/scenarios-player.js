// Scenario player: move focus to the feedback (or the new scene) after each step so that
// keyboard and screen-reader users continue from there, and let the number keys choose.
// Everything works without this script: choices are plain submit buttons.
const focusTarget = document.querySelector("[data-focus-on-load]");
if (focusTarget) {
  focusTarget.focus({ preventScroll: false });
}

const form = document.querySelector("form[data-choice-keys]");
if (form) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable=true]")) return;
    const button = form.querySelector(`button[data-key="${event.key}"]`);
    if (button) {
      event.preventDefault();
      button.focus();
      button.click();
    }
  });
  // A second press while the page is loading must not send a second answer.
  form.addEventListener("submit", () => {
    window.setTimeout(() => form.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
  });
}
