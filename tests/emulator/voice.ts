import { createCipheriv, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { opusFrames, speechLike } from '../support/speech.js';

/**
 * A small Discord voice server, as @discordjs/voice 0.19 speaks to it: a TLS
 * WebSocket (gateway v8: hello, identify, ready, select protocol, session
 * description, heartbeats, resume) and a UDP socket (IP discovery, then RTP
 * packets encrypted with aead_aes256_gcm_rtpsize). DAVE is off (protocol
 * version 0), as on Stage channels. It sends audio as any member, so a test
 * can make members speak: real Opus packets of speech-like audio, each member
 * at a pitch of their own.
 */

/** Voice gateway opcodes (discord-api-types/voice/v8). */
const Op = {
  Identify: 0,
  SelectProtocol: 1,
  Ready: 2,
  Heartbeat: 3,
  SessionDescription: 4,
  Speaking: 5,
  HeartbeatAck: 6,
  Resume: 7,
  Hello: 8,
  Resumed: 9,
} as const;
/** Three bytes of Opus silence: what Discord clients send when someone stops talking. */
const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
/** How many silence frames a client sends after the last word. */
const TRAILING_SILENCE = 5;
const RTP_OPUS = 0x78;
/** The RTP header extension's profile bytes, which @discordjs/voice looks for right after the 12-byte header. */
const HEADER_EXTENSION = Buffer.from([0xbe, 0xde]);

/** A member's own pitch, 110–260 Hz, and their syllables' seed, both fixed by the user id. */
function voiceOf(userId: string): { frequency: number; seed: number } {
  // FNV-1a over the id.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193) >>> 0;
  return { frequency: 110 + (hash % 151), seed: hash };
}

interface Client {
  ws: WebSocket;
  guildId: string;
  userId: string;
  sessionId: string;
  ssrc: number;
  secretKey?: Buffer;
  remote?: { address: string; port: number };
  /** SSRCs already announced to this client with a Speaking op. */
  announced: Set<number>;
  counter: number;
}

export class VoiceServer {
  /** Refuse every session (closes with 4006 at identify), as a broken voice server would. */
  refuse = false;
  /** Every identify received, in order. */
  readonly identifies: Array<{ guildId: string; userId: string; sessionId: string; at: number }> = [];
  /** Sessions that reached the session description (ready to receive audio). */
  readonly established: Array<{ guildId: string; at: number }> = [];
  private readonly https: Server;
  private readonly wss: WebSocketServer;
  private udp: Socket | undefined;
  private readonly clients = new Set<Client>();
  private readonly memberSsrc = new Map<string, number>();
  /** Each SSRC's RTP stream: the next packet's sequence number and timestamp carry on from one `speak` to the next. */
  private readonly rtp = new Map<number, { sequence: number; timestamp: number }>();
  private nextSsrc = 1000;
  port = 0;

  constructor(tls: { key: string; cert: string }) {
    this.https = createServer(tls);
    this.wss = new WebSocketServer({ server: this.https });
    this.wss.on('connection', (ws, request) => this.onConnection(ws, request.url ?? ''));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.https.listen(0, '127.0.0.1', resolve));
    this.port = (this.https.address() as AddressInfo).port;
    this.udp = createSocket('udp4');
    this.udp.on('message', (message, rinfo) => this.onUdp(message, rinfo));
    await new Promise<void>((resolve) => this.udp!.bind(this.port, '127.0.0.1', resolve));
    // Loads opusscript's WebAssembly now, so the first `speak` does not start late.
    opusFrames(speechLike(20));
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.ws.terminate();
    this.udp?.close();
    this.https.closeAllConnections();
    await new Promise<void>((resolve) => this.wss.close(() => this.https.close(() => resolve())));
  }

  /** What VOICE_SERVER_UPDATE gives the bot. */
  endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  token(guildId: string): string {
    return `voice-token-${guildId}`;
  }

  /** Whether the bot is connected in this guild and can hear. */
  connected(guildId: string): boolean {
    return [...this.clients].some((c) => c.guildId === guildId && c.secretKey && c.remote && c.ws.readyState === 1);
  }

  /** Drops the bot's voice WebSocket (4014: disconnected, as when the voice server changes). */
  drop(guildId: string, code = 4014): void {
    for (const client of this.clients) if (client.guildId === guildId) client.ws.close(code, 'Disconnected');
  }

  /**
   * `userId` speaks for `durationMs` to every bot listening in the guild: real Opus packets (one every 20 ms, paced
   * by the wall clock) of speech-like audio at the member's own pitch (`frequency` in Hz, else one fixed by the user
   * id, 110–260 Hz), then five Opus silence frames, as a Discord client sends when someone stops talking. Each bot
   * is told the member's SSRC once, with a Speaking op; the RTP sequence and timestamp carry on across calls.
   */
  async speak(
    guildId: string,
    userId: string,
    durationMs: number,
    options: { frequency?: number } = {},
  ): Promise<void> {
    const ssrc = this.memberSsrc.get(userId) ?? this.nextSsrc++;
    this.memberSsrc.set(userId, ssrc);
    const voice = voiceOf(userId);
    // Encoded before the first packet goes out, so encoding never delays the pacing.
    const speech = opusFrames(
      speechLike(Math.max(20, durationMs), { frequency: options.frequency ?? voice.frequency, seed: voice.seed }),
    );
    const frames = [...speech, ...Array.from({ length: TRAILING_SILENCE }, () => OPUS_SILENCE)];
    const stream = this.rtp.get(ssrc) ?? { sequence: 0, timestamp: 0 };
    this.rtp.set(ssrc, stream);
    const started = Date.now();
    for (let i = 0; i < frames.length; i++) {
      for (const client of this.clients) {
        if (client.guildId !== guildId || !client.secretKey || !client.remote) continue;
        if (!client.announced.has(ssrc)) {
          client.ws.send(JSON.stringify({ op: Op.Speaking, d: { user_id: userId, ssrc, speaking: 1 } }));
          client.announced.add(ssrc);
        }
        this.udp!.send(this.packet(client, ssrc, stream, frames[i]!), client.remote.port, client.remote.address);
      }
      stream.sequence = (stream.sequence + 1) & 0xffff;
      stream.timestamp = (stream.timestamp + 960) >>> 0;
      // Paced by the wall clock, so timers running late do not stretch the speech.
      const next = started + (i + 1) * 20;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  }

  private packet(client: Client, ssrc: number, stream: { sequence: number; timestamp: number }, opus: Buffer): Buffer {
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = RTP_OPUS;
    header.writeUInt16BE(stream.sequence, 2);
    header.writeUInt32BE(stream.timestamp, 4);
    header.writeUInt32BE(ssrc, 8);
    const nonce = Buffer.alloc(12);
    for (;;) {
      nonce.writeUInt32BE(client.counter++ >>> 0, 0);
      const cipher = createCipheriv('aes-256-gcm', client.secretKey!, nonce);
      cipher.setAAD(header);
      const encrypted = Buffer.concat([cipher.update(opus), cipher.final()]);
      // @discordjs/voice takes a payload starting with 0xbe 0xde for a header extension and cuts it off, which
      // would corrupt about one packet in 65,536: such a packet goes out under the next nonce instead.
      if (encrypted.subarray(0, 2).equals(HEADER_EXTENSION)) continue;
      return Buffer.concat([header, encrypted, cipher.getAuthTag(), nonce.subarray(0, 4)]);
    }
  }

  private onConnection(ws: WebSocket, url: string): void {
    if (!url.includes('v=8')) {
      ws.close(4012, 'Unknown protocol version');
      return;
    }
    let client: Client | undefined;
    ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: 5_000 } }));
    ws.on('message', (raw, binary) => {
      if (binary) return;
      const { op, d } = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      switch (op) {
        case Op.Identify: {
          this.identifies.push({
            guildId: String(d.server_id),
            userId: String(d.user_id),
            sessionId: String(d.session_id),
            at: Date.now(),
          });
          if (this.refuse || d.token !== this.token(String(d.server_id))) {
            ws.close(4006, 'Session is no longer valid');
            return;
          }
          client = {
            ws,
            guildId: String(d.server_id),
            userId: String(d.user_id),
            sessionId: String(d.session_id),
            ssrc: this.nextSsrc++,
            announced: new Set(),
            counter: 0,
          };
          this.clients.add(client);
          ws.send(
            JSON.stringify({
              op: Op.Ready,
              d: {
                ssrc: client.ssrc,
                ip: '127.0.0.1',
                port: this.port,
                modes: ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'],
              },
            }),
          );
          break;
        }
        case Op.SelectProtocol: {
          const data = d.data as { address: string; port: number; mode: string };
          if (!client || d.protocol !== 'udp' || data.mode !== 'aead_aes256_gcm_rtpsize') {
            ws.close(4016, 'Unknown encryption mode');
            return;
          }
          client.remote = { address: data.address, port: data.port };
          client.secretKey = randomBytes(32);
          ws.send(
            JSON.stringify({
              op: Op.SessionDescription,
              d: { mode: data.mode, secret_key: [...client.secretKey], dave_protocol_version: 0 },
            }),
          );
          this.established.push({ guildId: client.guildId, at: Date.now() });
          break;
        }
        case Op.Heartbeat:
          ws.send(JSON.stringify({ op: Op.HeartbeatAck, d: { t: (d as { t?: number }).t } }));
          break;
        case Op.Resume:
          ws.close(4006, 'Session is no longer valid');
          break;
        default:
          break;
      }
    });
    ws.on('close', () => {
      if (client) this.clients.delete(client);
    });
  }

  /** IP discovery: the bot asks which address and port it is seen from. */
  private onUdp(message: Buffer, rinfo: { address: string; port: number }): void {
    if (message.length !== 74 || message.readUInt16BE(0) !== 1) return;
    const reply = Buffer.alloc(74);
    reply.writeUInt16BE(2, 0);
    reply.writeUInt16BE(70, 2);
    message.copy(reply, 4, 4, 8);
    reply.write(rinfo.address, 8, 'utf8');
    reply.writeUInt16BE(rinfo.port, 72);
    this.udp!.send(reply, rinfo.port, rinfo.address);
  }
}
