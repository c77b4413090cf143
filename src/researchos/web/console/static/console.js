// ResearchOS console: live progress over server-sent events and a log that follows itself.
// Plain JavaScript, no build step; loaded as a static file so the CSP can forbid inline code.
"use strict";

(function () {
  const TERMINAL = ["run.finished", "run.refused", "run.crashed"];
  const KINDS = ["run.started", "progress"].concat(TERMINAL);
  const MAX_LOG_ITEMS = 300;

  function text(tag, content, className) {
    const el = document.createElement(tag);
    el.textContent = content;
    if (className) el.className = className;
    return el;
  }

  function stageRow(timeline, name) {
    let row = timeline.querySelector('[data-stage="' + CSS.escape(name) + '"]');
    if (row) return row;
    row = document.createElement("li");
    row.dataset.stage = name;
    row.className = "stage stage-pending";
    row.appendChild(text("span", name, "stage-name"));
    const status = text("span", "pending", "stage-status");
    status.dataset.stageStatus = "";
    row.appendChild(status);
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", name + " progress");
    row.appendChild(bar);
    const note = text("span", "", "stage-note small");
    note.dataset.stageNote = "";
    row.appendChild(note);
    timeline.appendChild(row);
    const none = document.querySelector("[data-no-stages]");
    if (none) none.remove();
    return row;
  }

  function showProgress(root, event) {
    const row = stageRow(root.querySelector("[data-timeline]"), event.stage);
    const done = typeof event.done === "number" ? event.done : null;
    const status = done !== null && done >= 1 ? "done" : "running";
    row.className = "stage stage-" + status;
    row.querySelector("[data-stage-status]").textContent = status;
    if (done !== null) row.querySelector("progress").value = Math.max(0, Math.min(1, done));
    row.querySelector("[data-stage-note]").textContent = event.message || "";
  }

  function appendLog(root, event) {
    const log = root.querySelector("[data-log]");
    const none = root.querySelector("[data-no-events]");
    if (none) none.remove();
    const item = document.createElement("li");
    item.dataset.event = String(event.id);
    item.appendChild(text("span", event.kind, "kind"));
    item.appendChild(document.createTextNode(" "));
    if (event.stage) {
      item.appendChild(text("strong", event.stage));
      item.appendChild(document.createTextNode(" "));
    }
    item.appendChild(document.createTextNode(event.message || event.status || event.error || ""));
    log.appendChild(item);
    while (log.children.length > MAX_LOG_ITEMS) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  }

  function showRunStatus(root, event) {
    const status = root.querySelector("[data-run-status]");
    const value = event.kind === "run.started" ? "running" : event.status || event.kind.slice(4);
    status.textContent = "";
    status.appendChild(text("span", value.replace(/_/g, " "), "status status-" + value.replace(/_/g, "-")));
    if (TERMINAL.indexOf(event.kind) >= 0) {
      const reload = root.querySelector("[data-reload]");
      if (reload) reload.hidden = false;
    }
  }

  function follow(root) {
    let last = Number(root.dataset.after || 0);
    let source = null;
    const handle = function (message) {
      const event = JSON.parse(message.data);
      if (event.id <= last) return;
      last = event.id;
      root.dataset.after = String(last);
      appendLog(root, event);
      if (event.kind === "progress" && event.stage) showProgress(root, event);
      else showRunStatus(root, event);
    };
    const connect = function () {
      source = new EventSource(root.dataset.events + "?after=" + last);
      KINDS.forEach(function (kind) { source.addEventListener(kind, handle); });
      // The server ends the stream after a run; reconnect from the last event we saw.
      source.onerror = function () {
        source.close();
        window.setTimeout(connect, 1500);
      };
    };
    connect();
    window.addEventListener("pagehide", function () { if (source) source.close(); });
  }

  function followLog(pre) {
    let offset = Number(pre.dataset.offset || 0);
    const poll = function () {
      fetch(pre.dataset.follow + "?offset=" + offset, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) return null;
          offset = Number(response.headers.get("x-next-offset") || offset);
          return response.text();
        })
        .then(function (chunk) {
          if (chunk) {
            pre.appendChild(document.createTextNode(chunk));
            pre.scrollTop = pre.scrollHeight;
          }
          window.setTimeout(poll, 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1500);
  }

  // Modals (the provider key): a closed dialog never keeps what was typed into it.
  function wireDialogs() {
    document.querySelectorAll("[data-open-dialog]").forEach(function (button) {
      button.addEventListener("click", function () {
        const dialog = document.getElementById(button.dataset.openDialog);
        if (dialog) dialog.showModal();
      });
    });
    document.querySelectorAll("[data-close-dialog]").forEach(function (button) {
      button.addEventListener("click", function () { button.closest("dialog").close(); });
    });
    document.querySelectorAll("dialog").forEach(function (dialog) {
      dialog.addEventListener("close", function () {
        dialog.querySelectorAll('input[type="password"]').forEach(function (input) {
          input.value = "";
        });
      });
    });
  }

  // Work running in the background (a matrix, a seal): poll its progress, show it, and load
  // the page again (without the one-time notice) once the work has ended.
  function followTask(root) {
    const again = function (delay) { window.setTimeout(poll, delay); };
    const poll = function () {
      fetch(root.dataset.progress, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) return again(3000);
          const bar = root.querySelector("progress");
          if (bar && typeof state.total === "number" && state.total > 0) {
            bar.max = state.total;
            bar.value = state.done;
          }
          const count = root.querySelector("[data-count]");
          if (count && state.text) count.textContent = state.text;
          document.querySelectorAll("[data-state-cells]").forEach(function (el) {
            el.textContent = state.done + "/" + state.total;
          });
          document.querySelectorAll("[data-state-status]").forEach(function (el) {
            const value = String(state.status).replace(/_/g, "-");
            el.textContent = "";
            el.appendChild(text("span", String(state.status).replace(/_/g, " "), "status status-" + value));
          });
          if (state.active) return again(1000);
          window.location.replace(window.location.pathname + window.location.hash);
        })
        .catch(function () { again(3000); });
    };
    again(1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const live = document.getElementById("live");
    if (live && live.dataset.events && window.EventSource) follow(live);
    document.querySelectorAll("pre[data-follow]").forEach(function (pre) {
      if (pre.dataset.active === "yes") followLog(pre);
    });
    document.querySelectorAll("[data-progress]").forEach(followTask);
    wireDialogs();
    document.querySelectorAll("a[data-back]").forEach(function (link) {
      link.addEventListener("click", function (click) {
        if (window.history.length > 1) {
          click.preventDefault();
          window.history.back();
        }
      });
    });
  });
})();
