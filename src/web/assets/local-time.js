/* global document */
// Shows each <time> in the reader's own time zone, as Discord shows timestamps. Without scripts, the page keeps
// the server's time zone, named in its header.
(() => {
  const formats = {
    time: { hour: '2-digit', minute: '2-digit' },
    date: { dateStyle: 'long' },
    datetime: { dateStyle: 'long', timeStyle: 'short' },
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const element of document.querySelectorAll('time[datetime][data-style]')) {
    const options = formats[element.dataset.style];
    const when = Date.parse(element.getAttribute('datetime'));
    if (!options || Number.isNaN(when)) continue;
    element.textContent = new Intl.DateTimeFormat(undefined, options).format(when);
  }
  for (const element of document.querySelectorAll('[data-zone]')) element.textContent = `Times in ${zone}`;
})();
