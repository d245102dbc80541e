// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Phone-sized screens: the navigation folds behind a menu button (app.css hides the links only
  // once this has run, so without JavaScript they stay visible).
  const toggle = document.querySelector(".app-nav-toggle");
  const nav = document.querySelector(".app-nav");
  if (toggle && nav) {
    nav.classList.add("app-nav-foldable");
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("app-nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Confirm destructive actions declared with data-confirm="…".
  document.body.addEventListener("submit", (event) => {
    const message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  // A refusal is an answer too: our 404/409/422 fragments say what is wrong (unknown serial,
  // stale version, bad field). htmx drops non-2xx responses by default, which left the
  // receiving desk blank for an unknown serial; swap them like any other fragment.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 404 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
});
