// Quiz pages: bring the error summary (or the result) into focus so that keyboard and
// screen-reader users hear it first, and stop a second submit while the page loads.
const focusTarget = document.querySelector("[data-focus-on-load]");
if (focusTarget) {
  focusTarget.focus();
}

const form = document.querySelector("form.quiz-form");
if (form) {
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    window.setTimeout(() => { if (button) button.disabled = true; }, 0);
  });
}
