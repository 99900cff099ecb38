import type { APIEmbed, APIMessage } from 'discord-api-types/v10';
import type { Emulator } from '../tests/emulator/emulator.js';

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A Discord timestamp as a reader in `timeZone` sees it. `R` (relative) is
 * read against `now` when given, else shown as a full date and time.
 */
export function localTime(ms: number, style: string, timeZone: string, now?: number): string {
  if (style === 'R' && now !== undefined) {
    const minutes = Math.round((ms - now) / 60_000);
    const [size, unit] =
      Math.abs(minutes) >= 2 * 1440
        ? [Math.round(minutes / 1440), 'days']
        : Math.abs(minutes) >= 120
          ? [Math.round(minutes / 60), 'hours']
          : [minutes, 'minutes'];
    return size >= 0 ? `in ${size} ${unit}` : `${-size} ${unit} ago`;
  }
  const options: Intl.DateTimeFormatOptions =
    style === 't' || style === 'T'
      ? { timeStyle: style === 'T' ? 'medium' : 'short' }
      : style === 'd' || style === 'D'
        ? { dateStyle: 'long' }
        : { dateStyle: 'full', timeStyle: 'short' };
  return new Intl.DateTimeFormat('en-GB', { timeZone, ...options }).format(ms);
}

/** Discord's markup made readable: mentions become names, timestamps become times, basic markdown becomes HTML. */
function markup(
  text: string,
  names: Map<string, string>,
  channels: Map<string, string>,
  timeZone: string,
  now?: number,
): string {
  return escape(text)
    .replace(/&lt;@!?(\d+)&gt;/g, (_m, id: string) => `<span class="mention">@${escape(names.get(id) ?? id)}</span>`)
    .replace(
      /&lt;@&amp;(\d+)&gt;/g,
      (_m, id: string) => `<span class="mention">@${escape(names.get(id) ?? 'role')}</span>`,
    )
    .replace(/&lt;#(\d+)&gt;/g, (_m, id: string) => `<span class="mention">#${escape(channels.get(id) ?? id)}</span>`)
    .replace(
      /&lt;t:(\d+):([tTdDfFR])&gt;/g,
      (_m, s: string, style: string) => `<time>${escape(localTime(Number(s) * 1000, style, timeZone, now))}</time>`,
    )
    .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/^### (.*)$/gm, '<h4>$1</h4>')
    .replace(/^## (.*)$/gm, '<h3>$1</h3>')
    .replace(/^# (.*)$/gm, '<h2>$1</h2>')
    .replace(/\\([\\*_~`|[\]>#.-])/g, '$1')
    .replace(/\n/g, '<br>');
}

function embed(e: APIEmbed, m: (t: string) => string): string {
  const fields = (e.fields ?? [])
    .map(
      (f) =>
        `<div class="field${f.inline ? ' inline' : ''}"><div class="fname">${m(f.name)}</div><div>${m(f.value)}</div></div>`,
    )
    .join('');
  return `<div class="embed">${e.author ? `<div class="eauthor">${m(e.author.name)}</div>` : ''}${e.title ? `<div class="etitle">${e.url ? `<a href="${escape(e.url)}">${m(e.title)}</a>` : m(e.title)}</div>` : ''}${e.description ? `<div class="edesc">${m(e.description)}</div>` : ''}<div class="fields">${fields}</div>${e.footer ? `<div class="efooter">${m(e.footer.text)}</div>` : ''}</div>`;
}

function message(msg: APIMessage, markupAt: (t: string, now?: number) => string, timeZone: string): string {
  // Relative times read as they did when the message was sent.
  const m = (t: string) => markupAt(t, Date.parse(msg.timestamp));
  const buttons = (msg.components ?? [])
    .flatMap((row) => ('components' in row ? (row.components as Array<{ label?: string; disabled?: boolean }>) : []))
    .map((b) => `<span class="button${b.disabled ? ' disabled' : ''}">${m(b.label ?? '')}</span>`)
    .join('');
  const files = msg.attachments
    .map((a) => `<div class="file">📎 ${escape(a.filename)} (${a.size} bytes)</div>`)
    .join('');
  const ephemeral = ((msg.flags ?? 0) & 64) !== 0 ? '<div class="only-you">Only you can see this</div>' : '';
  return `<div class="message" data-id="${msg.id}"><div class="author">${escape(msg.author.global_name ?? msg.author.username)}<span class="bot">APP</span><span class="when">${escape(new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(Date.parse(msg.timestamp)))}</span></div>${ephemeral}<div class="content">${m(msg.content)}</div>${(msg.embeds ?? []).map((e) => embed(e, m)).join('')}${files}${buttons ? `<div class="buttons">${buttons}</div>` : ''}</div>`;
}

/** Every message, embed, button and DM the bot sent, channel by channel, laid out the way Discord shows them. */
export function sessionHtml(emu: Emulator, title: string, timeZone = 'UTC'): string {
  const names = new Map<string, string>();
  for (const guild of emu.world.guilds.values()) {
    for (const member of guild.members.values())
      names.set(member.user.id, member.user.global_name ?? member.user.username);
    for (const role of guild.roles.values()) names.set(role.id, role.name);
  }
  const channelNames = new Map(
    [...emu.world.channels.values()].map((c) => [
      c.id,
      c.name || `DM with ${names.get(c.recipientId ?? '') ?? 'member'}`,
    ]),
  );
  const m = (t: string, now?: number) => markup(t, names, channelNames, timeZone, now);
  // What members read first: the board and cards, the session thread, the recap; then DMs; ephemeral replies last.
  const rank = (c: { name: string; recipientId?: string; parentId?: string }) =>
    c.name === 'announcements' ? 0 : c.parentId ? 1 : c.name === 'recaps' ? 2 : c.recipientId ? 3 : 4;
  const sections = [...emu.world.channels.values()]
    .sort((a, b) => rank(a) - rank(b))
    .map((channel) => ({
      channel,
      messages: emu.messagesIn(channel.id).filter((msg) => msg.author.id === emu.world.bot.id),
    }))
    .filter((s) => s.messages.length > 0)
    .map(
      ({ channel, messages }) =>
        `<section><h2 class="channel">${channel.recipientId ? '✉' : channel.parentId ? '🧵' : '#'} ${escape(channelNames.get(channel.id)!)}</h2>${messages.map((msg) => message(msg, m, timeZone)).join('')}</section>`,
    );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>
body{background:#313338;color:#dbdee1;font:15px/1.4 "gg sans","Noto Sans",Helvetica,Arial,sans-serif;margin:0;padding:24px}
h1{color:#f2f3f5;font-size:20px}section{max-width:880px;margin:0 auto 28px}.channel{color:#949ba4;font-size:13px;text-transform:uppercase;border-bottom:1px solid #3f4147;padding-bottom:6px}
.message{padding:8px 0 8px 16px;border-left:2px solid transparent}.message:hover{background:#2e3035}.author{color:#f2f3f5;font-weight:600}.bot{background:#5865f2;color:#fff;font-size:10px;border-radius:3px;padding:1px 4px;margin-left:6px}
.when{color:#949ba4;font-size:12px;margin-left:8px;font-weight:400}.only-you{color:#949ba4;font-size:12px}.mention{background:#3c4270;color:#c9cdfb;border-radius:3px;padding:0 2px}
.embed{background:#2b2d31;border-left:4px solid #5865f2;border-radius:4px;padding:8px 12px;margin-top:6px;max-width:520px}.etitle{font-weight:600;color:#00a8fc}.etitle a,.content a,.edesc a{color:#00a8fc;text-decoration:none}
.fields{display:flex;flex-wrap:wrap;gap:8px 16px;margin-top:6px}.field{flex:1 1 100%}.field.inline{flex:1 1 30%}.fname{font-weight:600;color:#f2f3f5;font-size:13px}.efooter,.eauthor{color:#949ba4;font-size:12px;margin-top:6px}
.buttons{margin-top:8px}.button{display:inline-block;background:#4e5058;color:#fff;border-radius:3px;padding:4px 14px;margin-right:8px;font-size:14px}.button.disabled{opacity:.5}.file{margin-top:6px;color:#00a8fc}time{color:#f2f3f5;background:#3f4147;border-radius:3px;padding:0 3px}
h2,h3,h4{color:#f2f3f5;margin:6px 0}</style></head><body><h1>${escape(title)}</h1>${sections.join('')}</body></html>`;
}
