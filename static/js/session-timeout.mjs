// The time-out warning: two minutes before the idle sign-out, say so and offer
// "Stay signed in". A page whose form is being typed into keeps its session alive
// by itself (the server still ends every session at its hard maximum), so a
// nurse writing a long report is never signed out mid-sentence. The server keeps the time (shared by every tab); asking it how
// long is left does not count as activity, so an unattended screen of names is
// signed out even while the police list refreshes itself.
const WARN_SECONDS = 120; // or a quarter of the idle limit, if that is shorter

export function initSessionTimeout() {
  const meta = document.querySelector('meta[name="grabpack-session"]');
  const panel = document.getElementById('session-timeout');
  if (!meta || !panel) return;
  const idle = Number(meta.dataset.idle);
  const warnAt = Math.min(WARN_SECONDS, Math.floor(idle / 4));
  const countdown = panel.querySelector('[data-countdown]');
  const stay = panel.querySelector('[data-stay]');
  let timer;
  let ticker;
  let typed = false;
  let typedAt = 0; // the last time someone typed into a form on this page
  let keptAt = Date.now(); // the last time the server counted this page as activity
  document.addEventListener('input', (event) => {
    if (!event.target.form) return;
    typed = true;
    typedAt = Date.now();
  });

  const inWords = (seconds) => (seconds >= 60
    ? `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`
    : `${seconds} second${seconds === 1 ? '' : 's'}`);

  const signedOut = () => {
    clearInterval(ticker);
    if (!typed) {
      window.location.reload(); // the server sends the page to sign-in
      return;
    }
    // Leave what was typed on the screen: sending it now keeps it for after sign-in.
    countdown.closest('p').textContent = 'You have been signed out. What you typed is still '
      + 'on this page: save it as usual, sign in again when asked, and it will be put back '
      + 'for you to check and save.';
    stay.hidden = true;
  };

  const warn = (seconds) => {
    let left = seconds;
    countdown.textContent = inWords(left);
    if (panel.hidden) {
      panel.hidden = false;
      stay.focus();
    }
    clearInterval(ticker);
    ticker = setInterval(() => {
      left -= 1;
      countdown.textContent = inWords(Math.max(left, 0));
      if (left <= 0) check();
    }, 1000);
  };

  const schedule = (seconds) => {
    clearTimeout(timer);
    if (seconds <= warnAt) {
      warn(seconds);
      return;
    }
    panel.hidden = true;
    clearInterval(ticker);
    timer = setTimeout(check, (seconds - warnAt) * 1000);
  };

  async function ask(url, options = {}) {
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store', ...options });
    if (response.status === 401 || response.redirected) return 0;
    if (!response.ok) return null;
    return (await response.json()).seconds;
  }

  const keepAlive = () => ask(meta.dataset.keepalive, {
    method: 'POST',
    headers: { 'X-CSRFToken': meta.dataset.csrf },
  }).then((seconds) => {
    if (seconds) keptAt = Date.now();
    return seconds;
  });

  async function check() {
    clearInterval(ticker);
    try {
      let seconds = await ask(meta.content);
      // Typed into a form since the server last counted activity: still in use.
      if (seconds !== null && seconds > 0 && seconds <= warnAt && typedAt > keptAt) {
        seconds = await keepAlive();
      }
      if (seconds === 0) signedOut();
      else if (seconds !== null) schedule(seconds);
    } catch {
      timer = setTimeout(check, 15000); // offline for a moment: ask again soon
    }
  }

  stay.addEventListener('click', async () => {
    try {
      const seconds = await keepAlive();
      if (seconds === 0) signedOut();
      else if (seconds !== null) schedule(seconds);
    } catch {
      // Offline: the warning stays, and the next check decides.
    }
  });

  // The page's own request counted as activity at most a minute ago: ask the
  // server only when the warning may be due.
  timer = setTimeout(check, Math.max(0, idle - 60 - warnAt) * 1000);
}
