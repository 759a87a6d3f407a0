/* The SCORM 1.2 run-time API (window.API) for the package shown in #scorm-frame.
 *
 * A SCO finds this object by walking up its parent windows. Values are checked here as the
 * SCORM 1.2 data model says (the server checks them again) and saved through the portal on
 * LMSInitialize, LMSCommit and LMSFinish. Those three calls wait for the server's answer, so
 * that "true" means the data really is saved. */
(function () {
  "use strict";

  var launchElement = document.getElementById("scorm-launch");
  if (!launchElement) return;
  var launch = JSON.parse(launchElement.textContent);
  var statusElement = document.getElementById("scorm-status");

  var ERRORS = {
    "0": "No error",
    "101": "General exception",
    "201": "Invalid argument error",
    "202": "Element cannot have children",
    "203": "Element not an array - cannot have count",
    "301": "Not initialized",
    "401": "Not implemented error",
    "402": "Invalid set value, element is a keyword",
    "403": "Element is read only",
    "404": "Element is write only",
    "405": "Incorrect data type"
  };
  var STATUSES = ["passed", "completed", "failed", "incomplete", "browsed"];
  var EXITS = ["time-out", "suspend", "logout", ""];
  var TIMESPAN = /^\d{2,4}:[0-5]\d:[0-5]\d(\.\d{1,2})?$/;
  var DECIMAL = /^-?\d+(\.\d+)?$/;

  function score(value) {
    if (value === "") return true;
    if (!DECIMAL.test(value)) return false;
    var number = parseFloat(value);
    return number >= 0 && number <= 100;
  }
  function text(limit) {
    return function (value) { return value.length <= limit; };
  }
  function oneOf(values) {
    return function (value) { return values.indexOf(value) !== -1; };
  }

  // element -> {read, write, check}: what SCORM 1.2 allows for each element this portal keeps.
  var MODEL = {
    "cmi.core.student_id": {read: true},
    "cmi.core.student_name": {read: true},
    "cmi.core.lesson_location": {read: true, write: true, check: text(255)},
    "cmi.core.credit": {read: true},
    "cmi.core.lesson_status": {read: true, write: true, check: oneOf(STATUSES)},
    "cmi.core.entry": {read: true},
    "cmi.core.score.raw": {read: true, write: true, check: score},
    "cmi.core.score.min": {read: true, write: true, check: score},
    "cmi.core.score.max": {read: true, write: true, check: score},
    "cmi.core.total_time": {read: true},
    "cmi.core.lesson_mode": {read: true},
    "cmi.core.exit": {write: true, check: oneOf(EXITS)},
    "cmi.core.session_time": {write: true, check: function (v) { return TIMESPAN.test(v); }},
    "cmi.suspend_data": {read: true, write: true, check: text(4096)},
    "cmi.launch_data": {read: true},
    "cmi.student_data.mastery_score": {read: true}
  };
  var CHILDREN = {
    "cmi.core._children": "student_id,student_name,lesson_location,credit,lesson_status,entry,score,total_time,lesson_mode,exit,session_time",
    "cmi.core.score._children": "raw,min,max",
    "cmi.student_data._children": "mastery_score"
  };
  // Optional parts of the data model this portal does not keep.
  var NOT_IMPLEMENTED = /^cmi\.(comments|comments_from_lms|objectives|interactions|student_preference|student_data\.(max_time_allowed|time_limit_action))(\.|$)/;

  var values = launch.values;
  var dirty = {};
  var state = "not initialized"; // -> "running" -> "finished"
  var lastError = "0";

  function fail(code) {
    lastError = String(code);
    return "false";
  }
  function show(message) {
    if (statusElement) statusElement.textContent = message || "";
  }

  function save(event) {
    var body = {event: event, values: dirty};
    var request = new XMLHttpRequest();
    try {
      request.open("POST", launch.commit, false); // the SCO waits for "true" or "false"
      request.setRequestHeader("Content-Type", "application/json");
      request.setRequestHeader("X-CSRFToken", launch.csrf);
      request.send(JSON.stringify(body));
    } catch (error) {
      show(statusElement && statusElement.dataset.failed);
      return fail(101);
    }
    if (request.status !== 200) {
      var answer = null;
      try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
      show(statusElement && statusElement.dataset.failed);
      return fail(answer && answer.error ? answer.error : 101);
    }
    var saved = null;
    try { saved = JSON.parse(request.responseText); } catch (error) { saved = null; }
    if (!saved || saved.ok !== true) { // e.g. signed out meanwhile: the sign-in page came back
      show(statusElement && statusElement.dataset.failed);
      return fail(101);
    }
    values["cmi.core.lesson_status"] = saved.lesson_status;
    dirty = {};
    lastError = "0";
    if (event !== "initialize") show(statusElement && statusElement.dataset.saved);
    var marker = document.querySelector('.scorm-parts__state[data-sco="' + launch.sco + '"]');
    if (marker && (saved.lesson_status === "completed" || saved.lesson_status === "passed") && marker.dataset.done) {
      marker.textContent = marker.dataset.done;
    }
    return "true";
  }

  function running() {
    if (state === "running") return true;
    lastError = "301"; // before LMSInitialize, and again after LMSFinish
    return false;
  }

  var API = {
    LMSInitialize: function (argument) {
      if (argument !== "" && argument !== undefined) return fail(201);
      if (state !== "not initialized") return fail(101);
      if (save("initialize") !== "true") return "false";
      state = "running";
      return "true";
    },
    LMSFinish: function (argument) {
      if (argument !== "" && argument !== undefined) return fail(201);
      if (!running()) return "false";
      if (save("finish") !== "true") return "false";
      state = "finished";
      return "true";
    },
    LMSCommit: function (argument) {
      if (argument !== "" && argument !== undefined) return fail(201);
      if (!running()) return "false";
      return save("commit");
    },
    LMSGetValue: function (element) {
      if (!running()) return "";
      element = String(element);
      if (Object.prototype.hasOwnProperty.call(CHILDREN, element)) { lastError = "0"; return CHILDREN[element]; }
      if (NOT_IMPLEMENTED.test(element)) { fail(401); return ""; }
      var rule = MODEL[element];
      if (!rule) {
        fail(/\._(children|count)$/.test(element) ? (/_count$/.test(element) ? 203 : 202) : 201);
        return "";
      }
      if (!rule.read) { fail(404); return ""; }
      lastError = "0";
      return Object.prototype.hasOwnProperty.call(values, element) ? String(values[element]) : "";
    },
    LMSSetValue: function (element, value) {
      if (!running()) return "false";
      element = String(element);
      value = String(value);
      if (/\._(children|count)$/.test(element)) return fail(402);
      if (NOT_IMPLEMENTED.test(element)) return fail(401);
      var rule = MODEL[element];
      if (!rule) return fail(201);
      if (!rule.write) return fail(403);
      if (!rule.check(value)) return fail(405);
      dirty[element] = value;
      if (rule.read) values[element] = value;
      lastError = "0";
      return "true";
    },
    LMSGetLastError: function () {
      return lastError;
    },
    LMSGetErrorString: function (code) {
      return ERRORS[String(code)] || "";
    },
    LMSGetDiagnostic: function (code) {
      var key = code === "" || code === undefined ? lastError : String(code);
      return ERRORS[key] ? key + ": " + ERRORS[key] : "";
    }
  };

  window.API = API;

  // The package is loaded only now, so its first call always finds the API in place.
  var frame = document.getElementById("scorm-frame");
  if (frame && frame.dataset.src && !frame.getAttribute("src")) frame.src = frame.dataset.src;

  // A learner who closes the page without the package calling LMSFinish keeps what was set.
  window.addEventListener("pagehide", function () {
    if (state === "running" && Object.keys(dirty).length) {
      fetch(launch.commit, {
        method: "POST", keepalive: true, credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": launch.csrf},
        body: JSON.stringify({event: "commit", values: dirty})
      });
    }
  });
})();
