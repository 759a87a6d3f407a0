// Site-wide behaviour: the keyboard shortcut for 「住民をつなぐ」 (Alt+Shift+R, or "r" then "t").
const refer = document.getElementById("refer-button");

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true]") !== null;
}

if (refer) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey && event.shiftKey && (event.key === "R" || event.key === "r" || event.code === "KeyR")) {
      event.preventDefault();
      window.location.assign(refer.href);
    }
  });
  refer.setAttribute("aria-keyshortcuts", "Alt+Shift+R");
}

// Buttons that ask before acting: <button data-confirm="…">.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !typing(button) && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
