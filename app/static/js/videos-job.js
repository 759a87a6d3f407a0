// The conversion page: polls the job's JSON status and moves the <progress> bar.
const job = document.getElementById("job");

if (job) {
  const bar = document.getElementById("job-progress");
  const message = document.getElementById("job-message");
  const percent = document.getElementById("job-percent");
  const watch = document.getElementById("job-watch");
  const watchLink = document.getElementById("job-watch-link");

  const poll = () => {
    fetch(job.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((status) => {
        if (!status) return;
        bar.value = status.progress;
        bar.textContent = `${status.progress}%`;
        message.textContent = status.message;
        percent.textContent = `${Math.floor(status.progress)}%`;
        const previous = job.dataset.state;
        job.dataset.state = status.state;
        if (status.watch_url) {
          watchLink.href = status.watch_url;
          watch.hidden = false;
        }
        if (status.state === "failed" && previous !== "failed") {
          window.location.reload(); // shows the error details and the retry button
        } else if (status.state === "queued" || status.state === "running") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(() => window.setTimeout(poll, 3000));
  };

  if (job.dataset.state === "queued" || job.dataset.state === "running") poll();
}
