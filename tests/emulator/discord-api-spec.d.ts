// discord-api-spec ships its zod schemas as plain JS; the emulator only needs these as parsers.
declare module 'discord-api-spec/zod' {
  type Parser = {
    safeParse(v: unknown): {
      success: boolean;
      error?: { issues: Array<{ path: PropertyKey[]; message: string; code: string }> };
    };
    _zod: { def: { shape?: Record<string, unknown> } };
  };
  export const MessageCreateRequestSchema: Parser;
  export const MessageEditRequestPartialSchema: Parser;
  export const IncomingWebhookRequestPartialSchema: Parser;
  export const IncomingWebhookUpdateRequestPartialSchema: Parser;
  export const ApplicationCommandCreateRequestSchema: Parser;
  export const CreatePrivateChannelRequestSchema: Parser;
  export const UpdateVoiceStateRequestPartialSchema: Parser;
  export const UpdateSelfVoiceStateRequestPartialSchema: Parser;
  export const CreateTextThreadWithMessageRequestSchema: Parser;
  export const CreateForumThreadRequestSchema: Parser;
  export const UpdateThreadRequestPartialSchema: Parser;
  export const StageScheduledEventCreateRequestSchema: Parser;
  export const VoiceScheduledEventCreateRequestSchema: Parser;
  export const StageScheduledEventPatchRequestPartialSchema: Parser;
  export const VoiceScheduledEventPatchRequestPartialSchema: Parser;
  export const CreateMessageInteractionCallbackRequestSchema: Parser;
  export const UpdateMessageInteractionCallbackRequestSchema: Parser;
  export const ApplicationCommandAutocompleteCallbackRequestSchema: Parser;
  export const ModalInteractionCallbackRequestSchema: Parser;
}
