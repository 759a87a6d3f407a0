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

// Offline referral drafts hold a resident's name and circumstances, on desks that are shared:
// none outlives a day, and none outlives signing out (the sign-out answer also sends
// Clear-Site-Data, which browsers honour only over HTTPS or on localhost).
const DRAFT_PREFIX = "tsunagu-referral-draft-";
const DRAFT_LIFETIME_MS = 24 * 60 * 60 * 1000;

function draftExpired(raw) {
  try {
    const savedAt = JSON.parse(raw).saved_at;
    return typeof savedAt !== "number" || Date.now() - savedAt > DRAFT_LIFETIME_MS;
  } catch {
    return true;
  }
}

const signedOut = document.querySelector("[data-signed-out]") !== null;
for (const key of Object.keys(window.localStorage)) {
  if (key.startsWith(DRAFT_PREFIX) && (signedOut || draftExpired(window.localStorage.getItem(key)))) {
    window.localStorage.removeItem(key);
  }
}

// The error summary after a failed send: it takes focus (autofocus, or here where a browser
// ignores it), and each link moves focus to its field, opening a collapsed section around it.
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  if (document.activeElement !== errorSummary) errorSummary.focus();
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    for (let node = target.closest("details"); node; node = node.parentElement.closest("details")) node.open = true;
    target.focus();
    target.scrollIntoView({ block: "center" });
  });
}
