// Coachloop's own script: progressive enhancement only; every page works without it.
document.addEventListener("htmx:afterSwap", (event) => {
  // After a filtered list is swapped in, keep focus where the user typed.
  if (event.detail.target && event.detail.target.id === "results") {
    const count = event.detail.target.querySelector("p.muted");
    if (count) count.setAttribute("role", "status");
  }
});
