// The grab pack form: a warning before leaving with changes that are not saved.
// The form is long (a hundred fields and more); a nurse who follows a link or
// closes the tab after typing would otherwise lose it all without a word. Any
// button of the form (Save, add or remove an entry) submits it, so submitting
// ends the warning. A form shown again by the server (a refusal, an entry added
// or removed, a colleague's save) holds entries not saved yet: dirty from the start.
const form = document.querySelector('form[data-pack-form]');

if (form) {
  let dirty = false;

  const warn = (event) => {
    event.preventDefault();
    event.returnValue = ''; // older browsers ask for a value to show their own words
  };

  const markDirty = () => {
    if (dirty) return;
    dirty = true;
    window.addEventListener('beforeunload', warn);
  };

  form.addEventListener('input', markDirty);
  form.addEventListener('change', markDirty);
  form.addEventListener('submit', () => {
    dirty = false;
    window.removeEventListener('beforeunload', warn);
  });

  if (form.dataset.packForm === 'unsaved') markDirty();
}
