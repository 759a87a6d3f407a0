// The meeting agenda: a print button (the print stylesheet hides the forms).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
