import { AttachmentBuilder, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { UserError } from '../src/domain/errors.js';
import { customId, type Command } from '../src/discord/command.js';
import { confirmButtons, plural, removedSummary, WHAT_DELETE_REMOVES } from '../src/discord/render/privacy.js';

/** A Confirm button older than this asks for a fresh /privacy delete. */
const CONFIRM_FOR_MS = 15 * 60_000;
/** Under Discord's 10 MiB attachment limit, with room for the request around it. */
const MAX_FILE_BYTES = 9 * 1024 * 1024;
/** Each reads (or rewrites) the whole server's data. */
const HOURLY = { limit: 3, windowSeconds: 3600 };

export default {
  data: new SlashCommandBuilder()
    .setName('privacy')
    .setDescription('What Lectern stores about you in this server')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) => s.setName('export').setDescription('Get it all as a JSON file (only you see it)'))
    .addSubcommand((s) => s.setName('delete').setDescription('Delete it (you confirm first)'))
    .toJSON(),
  preconditions: { rateLimit: { ...HOURLY, subcommands: ['export'] } },
  async execute(ctx) {
    const userId = ctx.interaction.user.id;
    if (ctx.interaction.options.getSubcommand() === 'delete') {
      const [confirm, cancel] = ['confirm', 'cancel'].map((a) => customId('privacy', a, userId, ctx.services.now()));
      return ctx.reply({ content: WHAT_DELETE_REMOVES, components: confirmButtons(confirm!, cancel!) });
    }
    const exported = await ctx.services.privacy.export(ctx.guildId, userId);
    let json = JSON.stringify(exported, null, 2);
    if (Buffer.byteLength(json) > MAX_FILE_BYTES) json = JSON.stringify(exported);
    if (Buffer.byteLength(json) > MAX_FILE_BYTES)
      throw new UserError('export-too-large', 'Your data here is larger than a file Discord takes; ask a host.');
    const records = plural(Object.keys(exported.records).length, 'record');
    await ctx.reply({
      content: `Everything Lectern stores about you in this server: ${records}, in this file only you see.`,
      files: [new AttachmentBuilder(Buffer.from(json), { name: `lectern-${ctx.guildId}-${userId}.json` })],
    });
  },
  components: {
    confirm: {
      preconditions: { rateLimit: HOURLY },
      async run(ctx, [userId, at]) {
        if (userId !== ctx.interaction.user.id) throw new UserError('privacy-not-yours', 'That button is not yours.');
        const age = ctx.services.now() - Number(at);
        if (!(age >= 0 && age <= CONFIRM_FOR_MS))
          throw new UserError('privacy-expired', 'That confirmation has expired: run /privacy delete again.');
        const forgotten = await ctx.services.privacy.forget(ctx.guildId, userId);
        // Their transcript consent is gone: the voice side stops hearing them at once.
        await ctx.services.transcripts.voice?.transcriptMembersChanged(ctx.guildId);
        await ctx.update({ content: removedSummary(forgotten), components: [] });
      },
    },
    cancel: {
      run: (ctx) => ctx.update({ content: 'Cancelled: nothing was deleted.', components: [] }),
    },
  },
} satisfies Command;
