/* global document, window, URLSearchParams */
// A static export's search (the web server searches on its side): the rows of sessions holding every word of the
// query (as a word or the start of one, as the server matches), from the words index search-index.js sets.
(() => {
  const query = (new URLSearchParams(window.location.search).get('q') ?? '').trim().slice(0, 200);
  const index = window.LECTERN_SEARCH;
  if (!query || !index) return;
  const words = (text) =>
    text
      .toLowerCase()
      .normalize('NFKC')
      .match(/[\p{L}\p{N}]+(?:[./-][\p{L}\p{N}]+)*/gu) ?? [];
  const wanted = [...new Set(words(query))].slice(0, 10);
  const found = (id) => wanted.every((word) => (index[id] ?? []).some((term) => term.startsWith(word)));
  let shown = 0;
  for (const row of document.querySelectorAll('tr[data-session]')) {
    row.hidden = !found(row.dataset.session);
    if (!row.hidden) shown++;
  }
  // Text only (textContent), never markup: the query is the reader's own, but still shown as typed.
  document.querySelector('h1').textContent = `Sessions matching “${query}”`;
  document.querySelector('#q').value = query;
  const caption = document.querySelector('table.sessions caption');
  if (caption) caption.textContent = `${shown} session${shown === 1 ? '' : 's'} matching, newest first`;
  const none = document.querySelector('.no-match');
  if (none) none.hidden = shown > 0;
})();
