/* Autosave helpers for exercise forms (htmx does the saving): keep unsaved text on this
   device until the server has it, restore it after a reload or a new sign-in, and show
   the connection and session notices. */
(function () {
  "use strict";

  function fields(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "hidden" || el.type === "file" || el.type === "submit") return;
      if (!(el.name in data)) data[el.name] = [];
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name].push(el.value);
      }
    });
    return data;
  }

  function restore(form, data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = data[el.name];
      if (!values || el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values[0] || "";
      }
    });
  }

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) el.hidden = !visible;
  }

  function revision(form) {
    var el = form.querySelector("#base-revision");
    return el ? parseInt(el.value, 10) || 0 : 0;
  }

  function setBaseRevision(form, value) {
    var el = form.querySelector("#base-revision");
    if (el) el.value = String(value);
  }

  function setUp(form) {
    var key = form.getAttribute("data-autosave");
    var seq = 0;
    var sentSeq = 0;
    // Text typed after the session ended could not be saved: it is restored after the
    // next sign-in even when another tab saved a newer draft meanwhile.
    var signedOut = false;

    function remember() {
      seq += 1;
      try {
        localStorage.setItem(key, JSON.stringify({
          revision: revision(form), seq: seq, fields: fields(form), signedOut: signedOut
        }));
      } catch (e) { /* storage full or disabled: the server save still runs */ }
    }

    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { stored = null; }
    if (stored && stored.fields && (stored.signedOut || stored.revision >= revision(form))) {
      restore(form, stored.fields);
      if (stored.signedOut) {
        // Saved against the revision that tab had: if another tab saved since, the server
        // keeps that text among the earlier versions and shows the conflict notice.
        setBaseRevision(form, Math.min(stored.revision, revision(form)));
        signedOut = true;  // until the server has it
        show("kept-notice", true);
      } else {
        show("restored-notice", true);
      }
      remember();
      setTimeout(function () { htmx.trigger(form, "change"); }, 0);
    } else if (stored) {
      localStorage.removeItem(key);
    }

    form.addEventListener("input", remember);
    form.addEventListener("change", remember);
    form.addEventListener("htmx:beforeRequest", function () { sentSeq = seq; });
    form.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      if (event.detail.successful) {
        show("offline-notice", false);
        show("expired-notice", false);
        signedOut = false;
        if (sentSeq === seq) localStorage.removeItem(key);
      } else if (xhr && (xhr.status === 401 || xhr.status === 403)) {
        // Signed out: a 401, or the CSRF check's 403 when the session cookie is gone.
        signedOut = true;
        remember();
        show("expired-notice", true);
      } else {
        show("offline-notice", true);
      }
    });
    form.addEventListener("htmx:sendError", function () { show("offline-notice", true); });
    window.addEventListener("online", function () {
      if (localStorage.getItem(key)) htmx.trigger(form, "change");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosave]"), setUp);
  });
})();
