// Connection form: show the fields of the chosen auth type, Test without reloading the page
// (so the re-entered secrets stay in the form), and ask before saving after a failed test.
(function () {
  "use strict";
  var form = document.getElementById("connection-form");
  if (!form) { return; }
  var result = document.getElementById("test-result");
  var force = document.getElementById("force");

  function toggle() {
    var auth = form.querySelector("#auth_type");
    var env = form.querySelector("#environment");
    form.querySelectorAll(".when-token").forEach(function (el) { el.hidden = auth && auth.value !== "token"; });
    form.querySelectorAll(".when-basic").forEach(function (el) { el.hidden = !auth || auth.value !== "basic"; });
    form.querySelectorAll(".when-oauth2").forEach(function (el) { el.hidden = !auth || auth.value !== "oauth2"; });
    form.querySelectorAll(".when-app").forEach(function (el) { el.hidden = auth && auth.value === "basic"; });
    form.querySelectorAll(".when-local").forEach(function (el) { el.hidden = !env || env.value !== "local"; });
  }

  function line(parent, text, tag) {
    var el = document.createElement(tag || "p");
    el.textContent = text;
    parent.appendChild(el);
    return el;
  }

  function show(data) {
    result.textContent = "";
    var box = document.createElement("div");
    box.id = "test-outcome";
    box.className = "notice " + (data.ok ? "success" : "error");
    box.setAttribute("role", data.ok ? "status" : "alert");
    line(box, data.message, "strong");
    if (data.answer) { line(box, (data.ok ? "Answer: " : "Answered: ") + data.answer); }
    if (data.detail) { line(box, "Login Audit Trail Detail: " + data.detail); }
    if (data.fix) { line(box, "Fix: " + data.fix); }
    if (data.hints && data.hints.length) {
      line(box, "Usual causes:");
      var ul = document.createElement("ul");
      data.hints.forEach(function (h) { line(ul, h, "li"); });
      box.appendChild(ul);
    }
    result.appendChild(box);
  }

  function runTest() {
    result.textContent = "Testing…";
    return fetch(form.dataset.testUrl, {
      method: "POST", body: new FormData(form), headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) { throw new Error("the test request failed (HTTP " + r.status + ")"); }
      return r.json();
    }).then(function (data) { show(data); return data; }, function (err) {
      var data = { ok: false, message: "Your test was not successful.", answer: String(err.message) };
      show(data);
      return data;
    });
  }

  document.getElementById("test-button").addEventListener("click", function (ev) {
    ev.preventDefault();
    runTest();
  });

  document.getElementById("save-button").addEventListener("click", function (ev) {
    if (!force) { return; }  // the server already asked: plain submit with the checkbox
    ev.preventDefault();
    runTest().then(function (data) {
      if (!data.ok) {
        var why = data.detail ? data.detail : (data.answer || data.message);
        if (!window.confirm("Are you sure you want to save this connection? Test connection failed with the following error: " + why)) {
          return;
        }
        force.value = "1";
      }
      form.submit();
    });
  });

  form.querySelectorAll("#auth_type, #environment").forEach(function (el) { el.addEventListener("change", toggle); });
  toggle();
}());
