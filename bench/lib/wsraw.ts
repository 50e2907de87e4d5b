/**
 * A deliberately minimal WebSocket client for the load generator: a raw `net` socket that
 * does the HTTP upgrade itself, writes pre-built, pre-masked client frames, and counts the
 * server's frames by reading only their headers. Payloads are skipped unless capture is on
 * (used once per connection to check that a server really answers correctly).
 */
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** One masked client frame (FIN set) carrying `payload`, with a random masking key. */
export function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLen + 4 + len);
  frame[0] = 0x80 | opcode;
  if (len < 126) {
    frame[1] = 0x80 | len;
  } else if (len < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  const key = randomBytes(4);
  key.copy(frame, headerLen);
  const off = headerLen + 4;
  for (let i = 0; i < len; i++) frame[off + i] = payload[i]! ^ key[i & 3]!;
  return frame;
}

export function textFrame(text: string): Buffer {
  return maskedFrame(OP_TEXT, Buffer.from(text, "utf8"));
}

/**
 * Incremental frame-header parser for server-to-client frames. Counts complete data messages
 * (text/binary, including fragmented ones) in `messages`. Payload bytes are skipped, except
 * for control frames (always kept, ≤125 bytes) and data frames while `capture` is true.
 */
export class FrameReader {
  /** Complete data messages seen so far. */
  messages = 0;
  /** When true, data-message payloads are assembled and handed to `onMessage`. */
  capture = false;
  onMessage: ((payload: Buffer) => void) | null = null;
  onControl: ((opcode: number, payload: Buffer) => void) | null = null;

  private remaining = 0; // payload bytes left in the current frame
  private fin = false;
  private opcode = 0; // opcode of the current frame
  private keep = false; // collecting the current frame's payload
  private parts: Buffer[] = [];
  private hdr = Buffer.alloc(14);
  private hdrLen = 0;

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.remaining > 0) {
        const take = this.remaining < n - i ? this.remaining : n - i;
        if (this.keep) this.parts.push(Buffer.from(chunk.subarray(i, i + take))); // copy: the read buffer is reused
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      // Header. Fast path: the whole header is in this chunk.
      if (this.hdrLen === 0 && n - i >= 2) {
        const b1 = chunk[i + 1]!;
        const len7 = b1 & 0x7f;
        const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        if (n - i >= size) {
          this.beginFrame(chunk, i);
          i += size;
          if (this.remaining === 0) this.endFrame();
          continue;
        }
      }
      // Slow path: header split across chunks; gather it byte by byte.
      this.hdr[this.hdrLen++] = chunk[i++]!;
      if (this.hdrLen >= 2) {
        const b1 = this.hdr[1]!;
        const len7 = b1 & 0x7f;
        const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
        if (this.hdrLen === size) {
          this.hdrLen = 0;
          this.beginFrame(this.hdr, 0);
          if (this.remaining === 0) this.endFrame();
        }
      }
    }
  }

  private beginFrame(buf: Buffer, at: number): void {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = b0 & 0x0f;
    const len7 = b1 & 0x7f;
    let len = len7;
    if (len7 === 126) len = buf.readUInt16BE(at + 2);
    else if (len7 === 127) len = Number(buf.readBigUInt64BE(at + 2));
    this.remaining = len;
    this.keep = this.opcode >= 0x8 || this.capture;
    if (this.opcode < 0x8 && this.opcode !== OP_CONT) this.parts = [];
  }

  private endFrame(): void {
    const op = this.opcode;
    if (op >= 0x8) {
      const payload = Buffer.concat(this.parts);
      this.parts = [];
      this.onControl?.(op, payload);
      return;
    }
    if (!this.fin) return;
    this.messages++;
    if (this.keep && this.onMessage) {
      const payload = Buffer.concat(this.parts);
      this.parts = [];
      this.onMessage(payload);
    } else if (this.parts.length > 0) {
      this.parts = [];
    }
  }
}

export interface RawWs {
  socket: net.Socket;
  reader: FrameReader;
  /** True once the server sent a close frame or the socket ended. */
  closed: boolean;
  closeCode: number | null;
  /** Called after each chunk with the number of data messages it completed (if any). */
  onMessages: ((count: number) => void) | null;
  /** Sends one text message and resolves with the next data message, parsed as text. */
  request(text: string, timeoutMs?: number): Promise<string>;
  destroy(): void;
}

// Every socket reads into this one buffer (net's `onread`): no Buffer is allocated per read and
// no stream 'data' machinery runs. It is safe to share because each read is consumed
// synchronously, and payloads that must be kept (capture, control frames) are copied.
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * Opens a WebSocket to ws://127.0.0.1:port/ the way a normal non-browser client does: Host
 * header `127.0.0.1:<port>`, no Origin, no extensions. Answers pings with pongs.
 */
export function connectRaw(port: number, timeoutMs = 5000): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString("base64");
    const expectAccept = createHash("sha1").update(key + GUID).digest("base64");
    let head: Buffer = Buffer.alloc(0);
    let ws: RawWs | null = null;
    let settled = false;

    const onRead = (nread: number, buf: Buffer): boolean => {
      if (ws !== null) {
        const reader = ws.reader;
        const before = reader.messages;
        reader.push(buf.subarray(0, nread));
        const got = reader.messages - before;
        if (got > 0 && ws.onMessages !== null) ws.onMessages(got);
        return true;
      }
      head = Buffer.concat([head, buf.subarray(0, nread)]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) {
        if (head.length > 16384) fail(new Error("handshake response too large"));
        return true;
      }
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      if (!/^HTTP\/1\.1 101\b/.test(lines[0] ?? "")) {
        fail(new Error(`handshake refused on port ${port}: ${lines[0]}`));
        return true;
      }
      const accept = lines.find((l) => /^sec-websocket-accept:/i.test(l))?.split(":")[1]?.trim();
      if (accept !== expectAccept) {
        fail(new Error("bad Sec-WebSocket-Accept"));
        return true;
      }
      settled = true;
      clearTimeout(timer);
      ws = makeRawWs(socket);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) ws.reader.push(rest);
      resolve(ws);
      return true;
    };

    const socket = net.connect({ host: "127.0.0.1", port, onread: { buffer: READ_BUFFER, callback: onRead } });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`WebSocket handshake timed out on port ${port}`)), timeoutMs);

    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    }

    socket.once("connect", () => {
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("error", (err) => {
      if (ws !== null) ws.closed = true;
      fail(err);
    });
    socket.on("close", () => {
      if (ws !== null) ws.closed = true;
      fail(new Error(`connection to port ${port} closed during the handshake`));
    });
  });
}

function makeRawWs(socket: net.Socket): RawWs {
  const reader = new FrameReader();
  const ws: RawWs = {
    socket,
    reader,
    closed: false,
    closeCode: null,
    onMessages: null,
    request(text: string, timeoutMs = 5000): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reader.capture = false;
          reader.onMessage = null;
          reject(new Error(`no reply within ${timeoutMs} ms to ${text.slice(0, 80)}`));
        }, timeoutMs);
        reader.capture = true;
        reader.onMessage = (payload) => {
          clearTimeout(timer);
          reader.capture = false;
          reader.onMessage = null;
          resolve(payload.toString("utf8"));
        };
        socket.write(textFrame(text));
      });
    },
    destroy(): void {
      ws.closed = true;
      socket.destroy();
    },
  };
  reader.onControl = (op, payload) => {
    if (op === OP_PING) socket.write(maskedFrame(OP_PONG, payload));
    else if (op === OP_CLOSE) {
      ws.closed = true;
      ws.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    }
  };
  return ws;
}

/** Opens `count` connections, at most `parallel` handshakes at a time (keeps the accept backlog sane). */
export async function connectMany(port: number, count: number, parallel = 100): Promise<RawWs[]> {
  const out: RawWs[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Math.min(parallel, count - i);
    const settled = await Promise.allSettled(Array.from({ length: batch }, () => connectRaw(port)));
    let failure: unknown = null;
    for (const s of settled) {
      if (s.status === "fulfilled") out.push(s.value);
      else failure ??= s.reason;
    }
    if (failure !== null) {
      for (const c of out) c.destroy();
      throw new Error(`opened ${out.length} of ${count} connections: ${String((failure as Error).message ?? failure)}`);
    }
  }
  return out;
}
