// A button that copies the text of another element (a share link) to the clipboard.
// The button is hidden until this runs, so a page without JavaScript shows only the
// link itself, which can still be selected and copied by hand.
const buttons = document.querySelectorAll("button[data-copy-target]");

const selectText = (element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
};

for (const button of buttons) {
  const target = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(`${button.dataset.copyTarget}-copied`);
  if (!target) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const text = target.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      if (status) status.textContent = "Link copied";
    } catch {
      // No clipboard (an older browser, or permission refused): select it instead.
      selectText(target);
      if (status) status.textContent = "Link selected: copy it with your keyboard or menu";
    }
  });
}
