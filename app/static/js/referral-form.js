// 「住民をつなぐ」 quick form: the call-now and no-consent panels, one submission per form,
// and an unsent referral kept in this browser when the connection is down.
const form = document.getElementById("referral-form");
const sent = document.getElementById("referral-sent");

// The confirmation page: the referral arrived, so the kept draft is no longer needed.
if (sent && sent.dataset.clearDraft) {
  window.localStorage.removeItem(sent.dataset.clearDraft);
}

function radioValue(name) {
  const checked = form.querySelector(`input[name="${name}"]:checked`);
  return checked ? checked.value : "";
}

function togglePanels() {
  const callNow = document.getElementById("call-now");
  const noConsent = document.getElementById("no-consent-route");
  if (callNow) callNow.hidden = radioValue("urgency") !== "life_risk";
  if (noConsent) noConsent.hidden = !["unconfirmed", "refused"].includes(radioValue("consent"));
}

// Everything typed into the form except the CSRF token (fresh on every page).
function snapshot() {
  const data = {};
  for (const element of form.elements) {
    if (!element.name || element.name === "csrf_token") continue;
    if (element.type === "checkbox" || element.type === "radio") {
      if (!element.checked) continue;
      (data[element.name] = data[element.name] || []).push(element.value);
    } else {
      data[element.name] = [element.value];
    }
  }
  return data;
}

function restore(data) {
  for (const element of form.elements) {
    if (!element.name || element.name === "csrf_token" || !(element.name in data)) continue;
    const values = data[element.name];
    if (element.type === "checkbox" || element.type === "radio") {
      element.checked = values.includes(element.value);
    } else {
      element.value = values[0];
    }
  }
  togglePanels();
  // A restored draft shows what it holds: open the collapsed sections that have something in them.
  for (const section of form.querySelectorAll("details")) {
    const filled = [...section.querySelectorAll("input, select, textarea")].some(
      (element) => (element.type === "checkbox" || element.type === "radio") ? element.checked : element.value !== "",
    );
    if (filled) section.open = true;
  }
}

if (form) {
  const key = form.dataset.draftKey;
  const status = document.getElementById("draft-status");
  const offer = document.getElementById("draft-offer");
  const button = document.getElementById("referral-submit");
  let submitting = false;

  form.addEventListener("change", (event) => {
    if (event.target.name === "urgency" || event.target.name === "consent") togglePanels();
  });
  togglePanels();

  // Drafts are {saved_at, fields}; site.js removes those older than a day.
  let kept = null;
  try {
    kept = JSON.parse(window.localStorage.getItem(key) || "null");
  } catch {
    window.localStorage.removeItem(key);
  }
  if (kept && kept.fields && form.dataset.fresh === "1" && offer) {
    offer.hidden = false;
    document.getElementById("draft-restore").focus();
    document.getElementById("draft-restore").addEventListener("click", () => {
      restore(kept.fields);
      offer.hidden = true;
      status.textContent = form.dataset.restoredMessage;
      form.querySelector("input:not([type=hidden]), textarea").focus();
    });
    document.getElementById("draft-discard").addEventListener("click", () => {
      window.localStorage.removeItem(key);
      offer.hidden = true;
    });
  }

  form.addEventListener("submit", (event) => {
    // Keep the draft (with its idempotency key) until the confirmation page arrives: a resend
    // after a dropped connection then returns the referral that was already received.
    window.localStorage.setItem(key, JSON.stringify({ saved_at: Date.now(), fields: snapshot() }));
    if (!navigator.onLine) {
      event.preventDefault();
      status.textContent = form.dataset.offlineMessage;
      return;
    }
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
    button.setAttribute("aria-disabled", "true");
    status.textContent = form.dataset.sendingMessage;
  });

  // Coming back with the browser's back button: allow a new submission.
  window.addEventListener("pageshow", () => {
    submitting = false;
    button.removeAttribute("aria-disabled");
  });

  window.addEventListener("online", () => { status.textContent = ""; });
}
