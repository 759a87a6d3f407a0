// The certificate's print button (no inline scripts under the portal's CSP).
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}
