// Keeps the officer's list of open episodes current without a manual refresh (a
// hand-over missed a missing child because a case list needed one), and without
// moving anything under the officer's finger: a new or closed episode is announced
// and waits for "Show ..."; a change to an episode already shown (its risk grade)
// is applied in place only if its card keeps its size. Focus and scroll stay put.
const script = document.getElementById('police-refresh');
const url = script.dataset.url;
const announcer = document.getElementById('episodes-announcer');
const showButton = document.getElementById('show-new-episodes');
const asAt = document.getElementById('list-as-at');
const EVERY_MS = 1000 * Number(script.dataset.every || 15);
const TITLE = document.title;

let pending = null; // the latest list fetched, waiting for the officer to ask

function ids(container) {
  return new Set((container.dataset.ids || '').split(' ').filter(Boolean));
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

// Applies a change to an episode already shown (its risk grade, its reference) if
// only its facts changed and the card keeps its size; focus stays where it was.
// Anything else waits for the officer. Returns whether it was applied.
function updateInPlace(card, fresh) {
  if (card.innerHTML === fresh.innerHTML) {
    card.className = fresh.className; // the "New" highlight wears off on its own
    return true;
  }
  const facts = card.querySelector('.app-episode-card__facts');
  const freshFacts = fresh.querySelector('.app-episode-card__facts');
  if (!facts || !freshFacts) return false;
  const rest = (element, list) => element.innerHTML.replace(list.outerHTML, '');
  if (rest(card, facts) !== rest(fresh, freshFacts)) return false;
  const focusables = [...facts.querySelectorAll('a, button')];
  const focused = focusables.indexOf(document.activeElement);
  const before = card.getBoundingClientRect().height;
  const copy = document.importNode(freshFacts, true);
  facts.replaceWith(copy);
  if (card.getBoundingClientRect().height !== before) {
    copy.replaceWith(facts); // it would move the cards below: wait for the officer
    if (focused >= 0) focusables[focused].focus({ preventScroll: true });
    return false;
  }
  if (focused >= 0) copy.querySelectorAll('a, button')[focused]?.focus({ preventScroll: true });
  card.className = fresh.className; // with its "New" tag, the highlight goes (same size)
  return true;
}

function closedList(container) {
  return container.querySelector('[data-recently-closed]')?.innerHTML ?? '';
}

function say(message) {
  if (announcer.textContent !== message) announcer.textContent = message;
}

// The button takes the place of the "List as at" line, in a box of fixed height.
function offer(added, closed) {
  const news = [];
  if (added) news.push(plural(added, 'new episode'));
  if (closed) news.push(`${plural(closed, 'episode')} closed`);
  say(news.length ? news.join(', ') : 'The list has changed');
  showButton.textContent = added ? `Show ${plural(added, 'new episode')}` : 'Show the updated list';
  asAt.hidden = true;
  showButton.hidden = false;
  document.title = added ? `(${added} new) ${TITLE}` : TITLE;
}

function withdraw() {
  if (showButton.hidden) return;
  showButton.hidden = true;
  asAt.hidden = false;
  document.title = TITLE;
  say('The list is up to date');
}

function londonTime() {
  const options = { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' };
  return new Date().toLocaleTimeString('en-GB', options);
}

function apply(fresh) {
  const current = document.getElementById('open-episodes');
  const shown = ids(current);
  const added = [...ids(fresh)].filter((id) => !shown.has(id));
  const copy = document.importNode(fresh, true);
  current.replaceWith(copy);
  pending = null;
  showButton.hidden = true;
  asAt.textContent = `List as at ${londonTime()}`;
  asAt.hidden = false;
  document.title = TITLE;
  say(`Showing ${plural(ids(copy).size, 'open episode')}`);
  const first = added.length && copy.querySelector(`[data-episode="${added[0]}"]`);
  const target = first || copy;
  target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
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
    // An inert document: nothing in it (photos) loads until the officer asks.
    const parsed = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = parsed.getElementById('open-episodes');
    if (!fresh) return;
    const shown = ids(current);
    const latest = ids(fresh);
    const added = [...latest].filter((id) => !shown.has(id)).length;
    const closed = [...shown].filter((id) => !latest.has(id)).length;
    let waiting = added > 0 || closed > 0 || closedList(current) !== closedList(fresh);
    for (const card of current.querySelectorAll('[data-episode]')) {
      const update = fresh.querySelector(`[data-episode="${card.dataset.episode}"]`);
      if (update && !updateInPlace(card, update)) waiting = true;
    }
    if (waiting) {
      pending = fresh;
      offer(added, closed);
    } else {
      pending = null;
      withdraw();
      asAt.textContent = `List as at ${londonTime()}`; // checked: still current
    }
  } catch (error) {
    // Network blip: try again at the next tick.
  }
}

showButton.addEventListener('click', () => {
  if (pending) apply(pending);
});
setInterval(refresh, EVERY_MS);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
});
