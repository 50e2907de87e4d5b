import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Logs go to stderr (stdout carries console-mode replies and command output): human-readable
 * on a TTY, one JSON object per line otherwise (for journald, files and tests).
 */
export function createLogger(level: LogLevel): Logger {
  if (process.stderr.isTTY) {
    return pino({ level }, pretty({ destination: 2, colorize: true, sync: true, ignore: "pid,hostname" }));
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}
