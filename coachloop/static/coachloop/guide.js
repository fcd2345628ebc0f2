// The live meeting guide. Without this script every button posts a form and the server's clock
// counts. With it: the timer ticks from the page's own clock (Date.now), presses are posted with
// fetch (sending the seconds the timer shows) and the state the server answers is shown; stage
// changes and "1 minute left" / "Time is up" are announced in a polite live region.
(() => {
  "use strict";
  const root = document.getElementById("guide");
  const stateScript = document.getElementById("guide-state");
  if (!root || !stateScript) return;

  const text = root.dataset;
  const byId = (id) => document.getElementById(id);
  const live = byId("guide-live");
  const errorBox = byId("guide-error");
  const controls = byId("guide-controls");
  const MAX_ELAPSED = 6 * 3600;
  const SHORTCUTS_KEY = "coachloop.guide.shortcuts";

  let state = JSON.parse(stateScript.textContent);
  let baseElapsed = state.elapsed;
  let baseAt = Date.now();
  let busy = false;

  // --- Words -----------------------------------------------------------------------------------
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_match, key) => String(values[key]));
  }
  function named(template, title) {
    return template.replace("%s", title);
  }
  function clock(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const minutes = Math.floor(whole / 60);
    return minutes + ":" + String(whole % 60).padStart(2, "0");
  }
  function announce(message) {
    if (!message) return;
    // The same words twice still count as a change for screen readers.
    live.textContent = live.textContent === message ? message + "\u00a0" : message;
  }
  function showError(message) {
    errorBox.replaceChildren();
    if (!message) return;
    const p = document.createElement("p");
    p.textContent = message;
    errorBox.append(p);
  }

  // --- The clock -------------------------------------------------------------------------------
  function elapsedNow() {
    if (!state.running) return baseElapsed;
    return Math.min(baseElapsed + Math.max(0, Date.now() - baseAt) / 1000, MAX_ELAPSED);
  }
  function stageNow() {
    return state.stages[state.current];
  }
  function usedOf(stage) {
    return stage.index === state.current ? stage.spent + elapsedNow() : stage.spent;
  }
  function phase() {
    const stage = stageNow();
    if (!stage || state.finished) return "done";
    const left = stage.planned_seconds - usedOf(stage);
    if (left < 0) return "over";
    if (left <= 60) return "last";
    return "ok";
  }
  let lastPhase = phase();

  function factsOf(stage) {
    let words = fill(text.msgPlanned, { minutes: stage.minutes });
    if (stage.extra) words += " " + fill(text.msgExtra, { extra: stage.extra });
    words += " · " + fill(text.msgSpent, { spent: clock(usedOf(stage)) });
    if (stage.skipped) words += " · " + text.msgSkipped;
    if (stage.index === state.current) words += " · " + text.msgCurrent;
    return words;
  }

  function renderClock() {
    const stage = stageNow();
    if (!stage) return;
    const left = stage.planned_seconds - usedOf(stage);
    const over = left < 0;
    byId("guide-clock").textContent = over ? "+" + clock(-left) : clock(Math.ceil(left));
    byId("guide-clock-label").textContent = over ? text.msgOver : text.msgRemaining;
    byId("guide-timer").classList.toggle("is-over", over);
    const facts = byId("stage-facts-" + stage.index);
    if (facts) facts.textContent = factsOf(stage);
    let total = 0;
    for (const item of state.stages) total += usedOf(item);
    byId("guide-total").textContent = clock(total);
  }

  function tick() {
    renderClock();
    const now = phase();
    const stage = stageNow();
    if (stage && now !== lastPhase) {
      if (now === "over" && (lastPhase === "ok" || lastPhase === "last")) {
        announce(named(text.msgTimeUp, stage.title));
      } else if (now === "last" && lastPhase === "ok") {
        announce(named(text.msgMinuteLeft, stage.title));
      }
    }
    lastPhase = now;
  }

  // --- The whole state -------------------------------------------------------------------------
  function render() {
    const stage = stageNow();
    if (!stage) return;
    const last = state.stages.length - 1;
    byId("guide-position").textContent = fill(text.msgPosition, {
      n: state.current + 1,
      total: state.stages.length,
    });
    byId("guide-stage-title").textContent = stage.title;
    const planned = byId("guide-planned");
    let plannedWords = fill(text.msgPlanned, { minutes: stage.minutes });
    if (stage.extra) plannedWords += " " + fill(text.msgExtra, { extra: stage.extra });
    const running = byId("guide-running");
    running.textContent = state.finished
      ? text.msgFinished
      : state.running
        ? text.msgRunning
        : state.started
          ? text.msgPaused
          : text.msgNotStarted;
    planned.replaceChildren(document.createTextNode(plannedWords + " · "), running);

    const toggle = byId("guide-toggle");
    const action = state.running ? "pause" : state.started ? "resume" : "start";
    toggle.value = action;
    toggle.textContent = action === "pause" ? text.msgPause : action === "resume" ? text.msgResume : text.msgStart;
    toggle.disabled = state.finished;
    byId("guide-extend").disabled = state.finished;
    byId("guide-skip").disabled = state.finished || state.current >= last;
    byId("guide-previous").disabled = state.current <= 0 && !state.finished;
    byId("guide-next").disabled = state.finished || state.current >= last;
    byId("guide-finish").disabled = state.finished;

    for (const panel of root.querySelectorAll(".stage-panel")) {
      panel.hidden = Number(panel.dataset.stage) !== state.current;
    }
    for (const item of state.stages) {
      const row = byId("stage-item-" + item.index);
      if (!row) continue;
      const current = item.index === state.current;
      row.classList.toggle("is-current", current);
      if (current) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
      byId("stage-facts-" + item.index).textContent = factsOf(item);
    }
    byId("guide-finished").hidden = !state.finished;
    renderClock();
  }

  function apply(next) {
    state = next;
    baseElapsed = next.elapsed;
    baseAt = Date.now();
    render();
    lastPhase = phase();
  }

  function focusAfter(button, before) {
    if (state.finished) {
      byId("guide-finished").focus();
      return;
    }
    if (button && button.closest("#guide-goto")) {
      byId("guide-now").focus();
      return;
    }
    if (button && !button.disabled && button.isConnected) {
      if (document.activeElement !== button && before !== "keyboard-shortcut") button.focus();
      return;
    }
    const toggle = byId("guide-toggle");
    (toggle.disabled ? byId("guide-now") : toggle).focus();
  }

  async function act(form, button, origin) {
    if (busy) return;
    busy = true;
    const body = new FormData(form, button);
    body.set("elapsed", elapsedNow().toFixed(3));
    try {
      const response = await fetch(root.dataset.url, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (!response.ok) {
        showError(answer.detail);
        announce(answer.detail);
        return;
      }
      showError("");
      apply(answer);
      announce(answer.message);
      focusAfter(button, origin);
    } catch (_error) {
      showError(text.msgOffline);
    } finally {
      busy = false;
    }
  }

  for (const form of [controls, byId("guide-goto")]) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(form, event.submitter, "button");
    });
  }

  // --- Notes, saved with the minutes' revision lock ---------------------------------------------
  function setBase(revision) {
    for (const input of document.querySelectorAll('input[name="base"], input[name="held-base"]')) {
      input.value = String(revision);
    }
  }

  async function saveNote(form) {
    const status = form.querySelector(".note-status");
    const theirs = form.querySelector(".note-theirs");
    status.className = "note-status";
    status.textContent = text.msgSaving;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.revision !== undefined) setBase(answer.revision);
      if (response.ok) {
        status.classList.add("ok");
        status.textContent = answer.message;
        theirs.hidden = true;
        announce(answer.message);
        return;
      }
      // Nothing was saved: the typed text stays in the box.
      status.classList.add("error");
      status.textContent = answer.detail;
      showError(answer.detail);
      if (answer.theirs !== null && answer.theirs !== undefined) {
        theirs.querySelector("blockquote").textContent = answer.theirs;
        theirs.hidden = false;
      }
    } catch (_error) {
      status.classList.add("error");
      status.textContent = text.msgOffline;
      showError(text.msgOffline);
    }
  }

  // --- Practice attempts: the tool's HTML comes back, the page (and its timer) stays ---------
  async function logPractice(form) {
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (answer.html) {
        const holder = form.closest(".practice-tool");
        const template = document.createElement("template");
        template.innerHTML = answer.html.trim();
        const fresh = template.content.firstElementChild;
        holder.replaceWith(fresh);
        const alert = response.ok ? null : fresh.querySelector('[role="alert"]');
        (alert ? fresh.querySelector("input, textarea, button") : fresh).focus();
      } else if (!response.ok) {
        showError(answer.detail);
      }
      if (response.ok) showError("");
      announce(answer.message || answer.detail);
    } catch (_error) {
      showError(text.msgOffline);
    }
  }

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.classList.contains("note-form")) {
      event.preventDefault();
      saveNote(form);
    } else if (form.classList.contains("practice-form")) {
      event.preventDefault();
      logPractice(form);
    }
  });

  // --- Keyboard shortcuts (never while typing, nor on a button or link) -------------------------
  const shortcutsBox = byId("guide-shortcuts");
  if (shortcutsBox) {
    byId("guide-shortcuts-field").hidden = false;
    try {
      shortcutsBox.checked = window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
    } catch (_error) {
      shortcutsBox.checked = true;
    }
    shortcutsBox.addEventListener("change", () => {
      try {
        window.localStorage.setItem(SHORTCUTS_KEY, shortcutsBox.checked ? "on" : "off");
      } catch (_error) {
        // private mode: the choice lasts for this page
      }
    });
  }
  document.addEventListener("keydown", (event) => {
    if (shortcutsBox && !shortcutsBox.checked) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (
      target instanceof Element &&
      target.closest("input, textarea, select, button, a, summary, [contenteditable], [role=button]")
    ) {
      return;
    }
    let button = null;
    if (event.key === " " || event.key === "Spacebar") button = byId("guide-toggle");
    else if (event.key === "n" || event.key === "N") button = byId("guide-next");
    else if (event.key === "p" || event.key === "P") button = byId("guide-previous");
    else if (event.key === "+" || event.key === "=") button = byId("guide-extend");
    if (!button) return;
    event.preventDefault();
    if (!button.disabled) act(controls, button, "keyboard-shortcut");
  });

  // --- Start --------------------------------------------------------------------------------------
  render();
  window.setInterval(tick, 250);
  if (state.finished && window.location.hash === "#guide-finished") byId("guide-finished").focus();
})();
