// The power to retake, worked out again as the ward types the report form.
// The server renders the statement (escaped) from what has been typed so far;
// without JavaScript the "Work out the power to retake" button does the same.
const form = document.querySelector("form[data-retake-preview]");
const target = document.getElementById("retake-power");

if (form && target) {
  let timer;
  let latest = 0;

  const refresh = async () => {
    const ticket = ++latest;
    try {
      const response = await fetch(form.dataset.retakePreview, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
      // A slower, older answer never replaces a newer one.
      if (response.ok && ticket === latest) {
        target.innerHTML = await response.text();
      }
    } catch {
      // Offline or signed out: the statement stays as it was; submitting still works.
    }
  };

  let sent = false;
  const soon = (event) => {
    if (sent || event.target.name === "confirm_kind") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  // Once the form is sent, a preview still waiting to go would be read by nobody
  // (and, after a sign-out, refused): the server works the statement out anyway.
  form.addEventListener("submit", () => {
    sent = true;
    clearTimeout(timer);
  });
  // Back to this page from the browser's cache: the form is being typed again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) sent = false;
  });
  form.querySelector(".app-retake-check")?.remove();
}
