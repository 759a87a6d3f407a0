// Live progress of render jobs on the role-play scripts page: polls each unfinished job.
const POLL_MS = 1500;

function watch(box) {
  const bar = box.querySelector("progress");
  const label = box.querySelector("[data-role=label]");
  const percent = box.querySelector("[data-role=percent]");
  const message = box.querySelector("[data-role=message]");
  const poll = async () => {
    let data;
    try {
      const response = await fetch(box.dataset.jobUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      setTimeout(poll, POLL_MS * 2);
      return;
    }
    bar.value = data.percent;
    bar.textContent = `${data.percent}%`;
    label.textContent = data.status_label;
    percent.textContent = `${data.percent}%`;
    message.textContent = data.message;
    if (data.finished) {
      box.dataset.finished = "true";
    } else {
      setTimeout(poll, POLL_MS);
    }
  };
  poll();
}

for (const box of document.querySelectorAll(".render-job[data-finished=false]")) {
  watch(box);
}
