/* global document */
// Shows each <time> in the reader's own time zone, as Discord shows timestamps. Without scripts, the page keeps
// the server's time zone, named in its header.
(() => {
  const formats = {
    time: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }),
    date: new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }),
    datetime: new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' }),
    day: new Intl.DateTimeFormat(undefined, { dateStyle: 'full' }),
  };
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const element of document.querySelectorAll('time[datetime][data-style]')) {
    const format = formats[element.dataset.style];
    const when = Date.parse(element.getAttribute('datetime'));
    if (!format || Number.isNaN(when)) continue;
    element.textContent = format.format(when);
  }
  for (const element of document.querySelectorAll('[data-zone]'))
    element.textContent = `Times in ${zone.replaceAll('_', ' ')}`;
})();
