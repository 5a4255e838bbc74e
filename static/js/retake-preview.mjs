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

  const soon = (event) => {
    if (event.target.name === "confirm_kind") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.querySelector(".app-retake-check")?.remove();
}
