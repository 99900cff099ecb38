import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GatewayDispatchEvents, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket } from 'ws';
import { guildCreate } from './payloads.js';
import type { World } from './world.js';

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  intents: number;
  shard: [number, number];
  seq: number;
  /** Every dispatch of the session, so a resume can replay what the client missed. */
  sent: Dispatch[];
  socket: WebSocket | undefined;
}

/** Guilds a shard owns, by Discord's formula. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * The gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with
 * replay, and dispatches filtered by each session's intents and shard.
 */
export class Gateway {
  private readonly sessions = new Map<string, Session>();
  /** The bot asking to join or leave a voice channel (gateway op 4). */
  onVoiceStateUpdate:
    ((d: { guild_id: string; channel_id: string | null; self_mute: boolean; self_deaf: boolean }) => void) | undefined;
  private wss: WebSocketServer | undefined;

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly url: () => string,
  ) {}

  attach(server: Server): void {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Forget every session, as a restarted Discord would. */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /** Closes every socket without a close frame: the client sees a dropped connection and resumes. */
  dropConnections(): void {
    for (const session of this.sessions.values()) session.socket?.terminate();
  }

  async close(): Promise<void> {
    for (const client of this.wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  /** Which shard sessions were sent an event of type `t` (from their replay buffers), with its data. */
  deliveries(t: string): Array<{ shard: [number, number]; d: unknown }> {
    return [...this.sessions.values()].flatMap((session) =>
      session.sent.filter((e) => e.t === t).map((e) => ({ shard: session.shard, d: e.d })),
    );
  }

  get connectedShards(): number {
    return [...this.sessions.values()].filter((s) => s.socket?.readyState === 1).length;
  }

  /** Sends an event to every session that owns `guildId` and asked for `intent` (undefined: always sent). */
  dispatch(guildId: string | null, event: string, data: unknown, intent?: number): void {
    for (const session of this.sessions.values()) {
      if (guildId && shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      if (intent !== undefined && (session.intents & intent) === 0) continue;
      this.send(session, event, data);
    }
  }

  private send(session: Session, t: string, d: unknown): void {
    const dispatch = { s: ++session.seq, t, d };
    session.sent.push(dispatch);
    if (session.sent.length > 5_000) session.sent.splice(0, 1_000);
    if (session.socket?.readyState === 1)
      session.socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, ...dispatch }));
  }

  private onConnection(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null }));
          break;
        case GatewayOpcodes.Identify:
          this.identify(socket, payload.d as { token: string; intents: number; shard?: [number, number] });
          break;
        case GatewayOpcodes.Resume:
          this.resume(socket, payload.d as { token: string; session_id: string; seq: number });
          break;
        case GatewayOpcodes.VoiceStateUpdate:
          this.onVoiceStateUpdate?.(
            payload.d as { guild_id: string; channel_id: string | null; self_mute: boolean; self_deaf: boolean },
          );
          break;
        default:
          break;
      }
    });
    socket.on('close', () => {
      for (const session of this.sessions.values()) if (session.socket === socket) session.socket = undefined;
    });
  }

  private identify(socket: WebSocket, d: { token: string; intents: number; shard?: [number, number] }): void {
    if (d.token.replace(/^Bot /, '') !== this.token) {
      socket.close(4004, 'Authentication failed.');
      return;
    }
    const shard = d.shard ?? [0, 1];
    const session: Session = { id: randomUUID(), intents: d.intents, shard, seq: 0, sent: [], socket };
    this.sessions.set(session.id, session);
    const guilds = [...this.world.guilds.values()].filter((g) => shardOf(g.id, shard[1]) === shard[0]);
    this.send(session, GatewayDispatchEvents.Ready, {
      v: 10,
      user: this.world.bot,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url(),
      shard,
      application: { id: this.world.applicationId, flags: 0 },
    });
    for (const guild of guilds) this.send(session, GatewayDispatchEvents.GuildCreate, guildCreate(this.world, guild));
  }

  private resume(socket: WebSocket, d: { token: string; session_id: string; seq: number }): void {
    const session = this.sessions.get(d.session_id);
    if (!session || d.token.replace(/^Bot /, '') !== this.token) {
      socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null }));
      return;
    }
    session.socket = socket;
    for (const missed of session.sent.filter((e) => e.s > d.seq))
      socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, ...missed }));
    this.send(session, GatewayDispatchEvents.Resumed, {});
  }
}
