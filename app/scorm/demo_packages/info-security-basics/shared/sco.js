/* 教材の共通部品: ページ送り、続きからの再開、確認テストの採点をポータルへ記録する。 */
(function () {
  "use strict";
  function findAPI(win) {
    var hops = 0;
    while (!win.API && win.parent && win.parent !== win && hops < 10) { win = win.parent; hops += 1; }
    return win.API || null;
  }
  var api = findAPI(window);
  var started = Date.now();
  var finished = false;
  var pages = Array.prototype.slice.call(document.querySelectorAll("section.page"));
  var previous = document.getElementById("previous");
  var next = document.getElementById("next");
  var done = document.getElementById("done");
  var counter = document.getElementById("page-no");
  var message = document.getElementById("message");
  var quiz = document.getElementById("quiz");
  var current = 0;

  function sessionTime() {
    var seconds = Math.round((Date.now() - started) / 1000);
    var hours = Math.floor(seconds / 3600), minutes = Math.floor(seconds % 3600 / 60);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(hours) + ":" + two(minutes) + ":" + two(seconds % 60);
  }

  function show(index) {
    current = index;
    pages.forEach(function (page, k) { page.hidden = k !== index; });
    counter.textContent = (index + 1) + " / " + pages.length;
    previous.disabled = index === 0;
    next.hidden = index === pages.length - 1;
    done.hidden = index !== pages.length - 1;
    if (api) { api.LMSSetValue("cmi.core.lesson_location", String(index)); api.LMSCommit(""); }
    window.scrollTo(0, 0);
  }

  function finish(exit) {
    if (!api || finished) return;
    api.LMSSetValue("cmi.core.session_time", sessionTime());
    api.LMSSetValue("cmi.core.exit", exit);
    api.LMSFinish("");
    finished = true;
  }

  function score() {
    var questions = quiz.querySelectorAll("fieldset");
    var right = 0;
    Array.prototype.forEach.call(questions, function (question) {
      var chosen = question.querySelector("input:checked");
      if (chosen && chosen.value === question.dataset.answer) right += 1;
    });
    return Math.round(100 * right / questions.length);
  }

  if (api) {
    api.LMSInitialize("");
    var saved = parseInt(api.LMSGetValue("cmi.core.lesson_location"), 10);
    if (!isNaN(saved) && saved >= 0 && saved < pages.length) current = saved;
  } else {
    message.textContent = "ポータルの外で開かれたため、受講の記録は残りません。";
  }
  previous.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  done.addEventListener("click", function () {
    if (!api) return;
    if (quiz) {
      api.LMSSetValue("cmi.core.score.raw", String(score()));
      api.LMSSetValue("cmi.core.lesson_status", "completed");
      api.LMSCommit("");
      if (api.LMSGetValue("cmi.core.lesson_status") !== "passed") {
        message.textContent = "得点 " + score() + " 点：全問正解で合格です。解説のページを読み直して、もう一度答えてください。";
        return;
      }
      message.textContent = "合格です。この章は修了しました。";
    } else {
      api.LMSSetValue("cmi.core.lesson_status", "completed");
      message.textContent = "この章は修了しました。";
    }
    finish("");
    done.disabled = true;
  });
  // 途中で閉じても、次に開いたときは同じページから再開する。
  window.addEventListener("pagehide", function () { finish("suspend"); });
  show(current);
})();
