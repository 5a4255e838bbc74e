// Keeps the officer's list of open episodes current without a manual refresh:
// a hand-over missed a missing child because a case list needed one.
const script = document.getElementById('police-refresh');
const url = script.dataset.url;
const announcer = document.getElementById('episodes-announcer');
const EVERY_MS = 1000 * Number(script.dataset.every || 15);

function ids(container) {
  return new Set((container.dataset.ids || '').split(' ').filter(Boolean));
}

async function refresh() {
  const current = document.getElementById('open-episodes');
  try {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    if (response.status === 401 || response.redirected) {
      // Signed out after a period of inactivity: take the names off the screen.
      window.location.reload();
      return;
    }
    if (!response.ok) return;
    const holder = document.createElement('div');
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector('#open-episodes');
    if (!fresh || fresh.dataset.ids === current.dataset.ids) return;
    const added = [...ids(fresh)].filter((id) => !ids(current).has(id)).length;
    current.replaceWith(fresh);
    if (added) {
      announcer.textContent = `${added} new missing episode${added > 1 ? 's' : ''}`;
      document.title = `(${added} new) ${document.title.replace(/^\(\d+ new\) /, '')}`;
    }
  } catch (error) {
    // Network blip: try again at the next tick.
  }
}

setInterval(refresh, EVERY_MS);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
});
