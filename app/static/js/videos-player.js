// The video player page: reports played ranges, resumes, switches quality, keyboard keys.
// Values come from data-* attributes on #player (the CSP forbids inline scripts).
const root = document.getElementById("player");
const video = document.getElementById("video");

if (root && video) {
  const data = root.dataset;
  const duration = parseFloat(data.duration) || 0;
  const every = (parseFloat(data.reportEvery) || 10) * 1000;
  const bar = document.getElementById("watched-bar");
  const text = document.getElementById("watched-text");
  let watched = []; // the union of everything played on this page, across quality switches
  let queue = Promise.resolve();

  const merge = (ranges) => {
    const sorted = ranges.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
    const out = [];
    for (const [s, e] of sorted) {
      const last = out[out.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else out.push([s, e]);
    }
    return out;
  };

  const collect = () => {
    const played = [];
    for (let i = 0; i < video.played.length; i += 1) {
      played.push([video.played.start(i), Math.min(video.played.end(i), duration || Infinity)]);
    }
    watched = merge(watched.concat(played));
    return watched;
  };

  const form = () => {
    const body = new FormData();
    body.append("csrf_token", data.csrf);
    body.append("session", data.session);
    body.append("ranges", JSON.stringify(collect().map(([s, e]) => [Math.round(s * 1000) / 1000, Math.round(e * 1000) / 1000])));
    body.append("position", String(Math.round(video.currentTime * 1000) / 1000));
    return body;
  };

  const show = (percent, completed) => {
    if (bar) bar.value = percent;
    if (text) {
      const template = completed ? data.textCompleted : data.textWatched;
      text.textContent = template.replace("{percent}", String(percent));
      text.dataset.percent = String(percent);
      text.dataset.completed = completed ? "true" : "false";
    }
  };

  // Reports are no longer recorded: say why once, with the way to go on.
  const stopped = (message, linkText, href) => {
    const alert = document.getElementById("watched-alert");
    if (!alert || !alert.hidden) return;
    const link = document.createElement("a");
    link.href = href;
    link.textContent = linkText;
    alert.replaceChildren(document.createTextNode(`${message} `), link);
    alert.hidden = false;
  };
  // The session ended (signed out elsewhere, timed out): sign in and come back here.
  const signedOut = () => stopped(data.textSignedOut, data.textSignIn, data.signInUrl);
  // A new version of the video was published while the page was open (or its viewing session
  // is gone): the page must be loaded again for what is watched to count.
  const outdated = () => stopped(data.textOutdated, data.textReload, window.location.pathname);
  const refused = (response) =>
    response.json().then((result) => {
      if (result && (result.error === "stale" || result.error === "session")) outdated();
      return null;
    }, () => null);

  // One report at a time, in order: each carries the whole union, so order only matters for speed.
  const report = () => {
    const body = form();
    queue = queue.then(() =>
      fetch(data.reportUrl, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((response) => {
          if (response.status === 401) signedOut();
          if (response.status === 409) return refused(response);
          return response.ok ? response.json() : null;
        })
        .then((result) => { if (result) show(result.percent, result.completed); })
        .catch(() => {}),
    );
    return queue;
  };

  // Leaving or hiding the page: one beacon (pagehide and visibilitychange often both fire).
  let beaconSent = false;
  const beacon = () => {
    if (beaconSent || !navigator.sendBeacon) return;
    beaconSent = true;
    navigator.sendBeacon(data.reportUrl, form());
  };

  video.addEventListener("pause", report);
  video.addEventListener("seeked", report);
  video.addEventListener("ended", report);
  window.setInterval(() => { if (!video.paused && !video.ended) report(); }, every);
  window.addEventListener("pagehide", beacon);
  window.addEventListener("pageshow", () => { beaconSent = false; });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") beacon();
    else beaconSent = false;
  });
  // For tests and for assistive tools: report now and tell when the server answered.
  root.addEventListener("videos:report", () => { report().then(() => root.dispatchEvent(new Event("videos:reported"))); });

  // Resume where the learner stopped (unless that was the very end).
  const resume = parseFloat(data.resume) || 0;
  const applyResume = () => {
    if (resume > 1 && resume < (video.duration || duration) - 2) video.currentTime = resume;
  };
  if (video.readyState >= 1) applyResume();
  else video.addEventListener("loadedmetadata", applyResume, { once: true });

  // Quality: 「標準」 720p / 「軽量」 360p, remembered on the server.
  const qualityForm = document.getElementById("quality-form");
  if (qualityForm) {
    document.getElementById("quality-submit").hidden = true;
    qualityForm.addEventListener("change", (event) => {
      const quality = event.target.value;
      const src = data[`src-${quality}`]; // data-src-360 → "src-360" (digits are not camel-cased)
      if (!src) return;
      collect();
      const at = video.currentTime;
      const wasPlaying = !video.paused && !video.ended;
      const rate = video.playbackRate;
      video.src = src;
      video.addEventListener("loadedmetadata", () => {
        video.currentTime = at;
        video.playbackRate = rate;
        if (wasPlaying) video.play().catch(() => {});
      }, { once: true });
      data.quality = quality;
      const body = new FormData(qualityForm);
      fetch(qualityForm.action, { method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" } }).catch(() => {});
    });
  }

  // Chapters jump to their start.
  document.querySelectorAll(".chapter[data-at]").forEach((button) => {
    button.addEventListener("click", () => {
      video.currentTime = parseFloat(button.dataset.at) || 0;
      video.focus();
    });
  });

  // Keyboard: K/Space play-pause, J/L ±10 s, C captions (when the player has focus).
  const toggleCaptions = () => {
    const tracks = Array.from(video.textTracks);
    const showing = tracks.find((t) => t.mode === "showing");
    if (showing) showing.mode = "disabled";
    else {
      const ja = tracks.find((t) => t.language === "ja") || tracks[0];
      if (ja) ja.mode = "showing";
    }
  };
  video.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key === "k" || key === " ") {
      event.preventDefault();
      if (video.paused) video.play().catch(() => {});
      else video.pause();
    } else if (key === "j" || key === "l") {
      event.preventDefault();
      const step = key === "j" ? -10 : 10;
      video.currentTime = Math.max(0, Math.min(video.duration || duration, video.currentTime + step));
    } else if (key === "c") {
      event.preventDefault();
      toggleCaptions();
    }
  });
}
