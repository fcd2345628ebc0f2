// The quick observation form: a running clock, timed moments in one tap, and an autosave that
// loses nothing. Each change is kept in this device's localStorage at once and sent about a
// second after typing stops (at once for a moment) with the revision it builds on. Offline, the
// copy waits on the device and goes out when the connection is back, or on the next visit. When
// the server has a newer revision (another tab or device), nothing is overwritten: the user is
// told, and the copy stays on the device. Without this script the form posts and saves as is.
(() => {
  "use strict";

  // A finished observation's page: the device's copy is no longer needed.
  const finished = document.querySelector("[data-observation-finished]");
  if (finished) {
    try {
      localStorage.removeItem("coachloop-observation-" + finished.dataset.observationFinished);
    } catch (e) {
      // storage unavailable: nothing kept, nothing to drop
    }
  }

  const form = document.getElementById("obs-form");
  if (!form) return;

  const key = "coachloop-observation-" + form.dataset.observation;
  const url = form.dataset.draftUrl;
  const statusEl = document.getElementById("obs-status");
  const alertEl = document.getElementById("obs-alert");
  const announceEl = document.getElementById("obs-announce");
  const baseInput = document.getElementById("obs-base");
  const list = document.getElementById("obs-moments");
  const emptyEl = document.getElementById("obs-moments-empty");
  const template = document.getElementById("obs-moment-template");
  const clock = document.getElementById("obs-clock");
  const momentText = document.getElementById("moment_text");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const labels = {
    saved: statusEl.dataset.savedLabel,
    saving: statusEl.dataset.savingLabel,
    offline: statusEl.dataset.offlineLabel,
    unsent: statusEl.dataset.unsentLabel,
  };
  const started = Date.parse(clock.dataset.started);

  let base = parseInt(baseInput.value, 10) || 0;
  let timer = null;
  let inflight = false;
  let again = false;
  let stopped = form.dataset.conflict === "1";
  let pendingSubmit = null;

  form.classList.add("obs-js");
  form.querySelectorAll("[data-remove]").forEach((button) => { button.hidden = false; });

  // --- The clock ---------------------------------------------------------------------------

  const pad = (n) => String(n).padStart(2, "0");
  const formatAt = (seconds) =>
    `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}`;
  const elapsed = () => Math.max(0, Math.floor((Date.now() - started) / 1000));
  const tick = () => { clock.textContent = formatAt(elapsed()); };
  if (!Number.isNaN(started)) {
    tick();
    setInterval(tick, 1000);
  }

  // --- Messages ----------------------------------------------------------------------------

  const setStatus = (text, kind) => {
    statusEl.textContent = text;
    statusEl.dataset.state = kind || "";
  };
  // kind "info" (a copy put back from the device) stays until something else is said
  const showAlert = (text, kind) => {
    alertEl.textContent = "";
    alertEl.dataset.kind = kind || "error";
    if (!text) { alertEl.hidden = true; return; }
    const p = document.createElement("p");
    p.textContent = text;
    alertEl.appendChild(p);
    alertEl.hidden = false;
  };
  const announce = (text) => {
    announceEl.textContent = "";
    setTimeout(() => { announceEl.textContent = text; }, 50);
  };
  const timeOf = (iso) => {
    const when = iso ? new Date(iso) : new Date();
    return `${pad(when.getHours())}:${pad(when.getMinutes())}`;
  };

  // --- The form's content ------------------------------------------------------------------

  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);

  const collect = () => {
    const moments = [];
    list.querySelectorAll("[data-moment]").forEach((row) => {
      const criterion = field(row, "criterion");
      const evidence = field(row, "evidence");
      moments.push({
        at: field(row, "at").value.trim(),
        text: field(row, "text").value,
        criterion: criterion && criterion.value !== "" ? parseInt(criterion.value, 10) : null,
        evidence: evidence && evidence.value ? evidence.value : null,
      });
    });
    const scores = {};
    form.querySelectorAll('input[type=radio][name^="score-"]').forEach((radio) => {
      const name = radio.name.slice("score-".length);
      if (!(name in scores)) scores[name] = null;
      if (radio.checked && radio.value !== "") scores[name] = parseInt(radio.value, 10);
    });
    const duration = form.elements.duration_minutes.value.trim();
    return {
      notes: form.elements.notes.value,
      moments,
      duration_minutes: duration === "" ? null : (/^\d+$/.test(duration) ? parseInt(duration, 10) : duration),
      scores,
    };
  };

  const renumber = () => {
    list.querySelectorAll("[data-moment]").forEach((row, index) => {
      row.querySelectorAll("[id], [name], [for]").forEach((el) => {
        ["id", "name", "for"].forEach((attr) => {
          const value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/^moment-(\d+|__N__)-/, `moment-${index}-`));
        });
      });
      row.querySelectorAll("[data-number]").forEach((el) => { el.textContent = String(index + 1); });
    });
    emptyEl.hidden = list.children.length > 0;
  };

  const markEvidence = (row) => {
    const evidence = field(row, "evidence");
    row.classList.remove("obs-moment-for", "obs-moment-against");
    if (evidence && evidence.value) row.classList.add(`obs-moment-${evidence.value}`);
  };

  const addRow = (moment) => {
    const row = template.content.firstElementChild.cloneNode(true);
    list.appendChild(row);
    renumber();
    field(row, "at").value = moment.at || "";
    field(row, "text").value = moment.text || "";
    const criterion = field(row, "criterion");
    if (criterion) criterion.value = moment.criterion === null || moment.criterion === undefined ? "" : String(moment.criterion);
    const evidence = field(row, "evidence");
    if (evidence) evidence.value = moment.evidence || "";
    markEvidence(row);
    const remove = row.querySelector("[data-remove]");
    if (remove) remove.hidden = false;
    return row;
  };

  const apply = (state) => {
    form.elements.notes.value = state.notes || "";
    form.elements.duration_minutes.value =
      state.duration_minutes === null || state.duration_minutes === undefined ? "" : String(state.duration_minutes);
    Object.entries(state.scores || {}).forEach(([name, level]) => {
      form.querySelectorAll(`input[type=radio][name="score-${CSS.escape(name)}"]`).forEach((radio) => {
        radio.checked = radio.value === (level === null ? "" : String(level));
      });
    });
    list.textContent = "";
    (state.moments || []).forEach(addRow);
    renumber();
  };

  // --- The device's copy -------------------------------------------------------------------

  const stored = () => {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  };
  const keep = (state) => {
    try { localStorage.setItem(key, JSON.stringify({ base, state, at: Date.now() })); } catch (e) { /* full or blocked */ }
  };
  const forget = (sent) => {
    const copy = stored();
    if (copy && JSON.stringify(copy.state) === sent) {
      try { localStorage.removeItem(key); } catch (e) { /* blocked */ }
    }
  };

  // --- Sending -----------------------------------------------------------------------------

  const schedule = (ms) => {
    clearTimeout(timer);
    timer = setTimeout(send, ms);
  };

  const finishedSending = () => {
    inflight = false;
    if (pendingSubmit !== null) {
      const submitter = pendingSubmit;
      pendingSubmit = null;
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (again) { again = false; schedule(0); }
  };

  function send() {
    clearTimeout(timer);
    if (stopped) return;
    if (inflight) { again = true; return; }
    if (!navigator.onLine) { setStatus(labels.offline, "offline"); return; }
    const state = collect();
    const sent = JSON.stringify(state);
    inflight = true;
    setStatus(labels.saving, "saving");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ ...state, base }),
    })
      .then(async (response) => {
        let data = null;
        try { data = await response.json(); } catch (e) { data = null; }
        if (response.ok && data && typeof data.revision === "number") {
          base = data.revision;
          baseInput.value = String(base);
          forget(sent);
          if (alertEl.dataset.kind !== "info") showAlert("");
          if (JSON.stringify(collect()) !== sent) {
            keep(collect());
            setStatus(labels.unsent, "unsent");
            again = true;
          } else {
            setStatus(`${labels.saved} ${timeOf(data.saved_at)}`, "saved");
          }
        } else if (response.status === 409) {
          stopped = true;
          setStatus(labels.unsent, "conflict");
          showAlert(form.dataset.conflictLabel);
        } else if (response.status === 401 || response.status === 403) {
          setStatus(labels.unsent, "unsent");
          showAlert(response.status === 401 || !data ? form.dataset.signedOutLabel : data.detail);
        } else if (data && data.detail) {
          setStatus(labels.unsent, "invalid");
          showAlert(data.detail);
        } else {
          setStatus(labels.offline, "offline");
        }
      })
      .catch(() => { setStatus(labels.offline, "offline"); })
      .finally(finishedSending);
  }

  const changed = (immediately) => {
    if (stopped) {
      keep(collect());
      return;
    }
    keep(collect());
    setStatus(navigator.onLine ? labels.unsent : labels.offline, navigator.onLine ? "unsent" : "offline");
    schedule(immediately ? 0 : 1000);
  };

  // --- Events ------------------------------------------------------------------------------

  const addMoment = (button) => {
    const at = formatAt(elapsed());
    const criterion = button.dataset.criterion;
    const row = addRow({
      at,
      text: momentText.value.trim(),
      criterion: criterion === "" ? null : parseInt(criterion, 10),
      evidence: button.dataset.evidence || null,
    });
    momentText.value = "";
    button.classList.remove("obs-tapped");
    void button.offsetWidth; // restart the animation
    button.classList.add("obs-tapped");
    const what = button.textContent.trim();
    announce(`${form.dataset.addedLabel} ${at}: ${what}`);
    row.scrollIntoView({ block: "nearest" });
    changed(true);
  };

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add]");
    if (add) {
      event.preventDefault();
      addMoment(add);
      return;
    }
    const remove = event.target.closest("[data-remove]");
    if (remove) {
      const row = remove.closest("[data-moment]");
      const next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      announce(form.dataset.removedLabel);
      (next ? next.querySelector("[data-remove]") : momentText).focus();
      changed(true);
    }
  });

  momentText.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      addMoment(form.querySelector(".obs-note"));
    }
  });

  const onEdit = (event) => {
    if (event.target === momentText) return;
    const row = event.target.closest("[data-moment]");
    if (row) markEvidence(row);
    changed(false);
  };
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (inflight) {
      event.preventDefault();
      pendingSubmit = event.submitter || null;
      return;
    }
    baseInput.value = String(base);
  });

  window.addEventListener("online", () => { if (stored()) send(); });
  window.addEventListener("offline", () => { if (stored()) setStatus(labels.offline, "offline"); });
  // A copy that could not go out (a failed request while "online") is tried again.
  setInterval(() => { if (!inflight && !stopped && navigator.onLine && stored()) send(); }, 5000);

  // --- On arrival: a copy left on this device ----------------------------------------------

  const copy = stored();
  if (stopped) {
    showAlert(alertEl.textContent.trim() || form.dataset.conflictLabel);
  } else if (copy && copy.state) {
    const serverRevision = parseInt(form.dataset.serverRevision, 10) || 0;
    if (JSON.stringify(copy.state) === JSON.stringify(collect())) {
      try { localStorage.removeItem(key); } catch (e) { /* blocked */ }
    } else if (copy.base === serverRevision) {
      apply(copy.state);
      showAlert(form.dataset.restoreLabel, "info");
      send();
    } else {
      showAlert(form.dataset.olderLabel, "info");
      const use = document.createElement("button");
      use.type = "button";
      use.className = "button small";
      use.textContent = form.dataset.useCopyLabel;
      use.addEventListener("click", () => {
        apply(copy.state);
        use.remove();
        showAlert("");
        changed(true);
      });
      alertEl.appendChild(use);
    }
  }
})();
