import { CogwheelError, type CogwheelErrorOptions } from "../protocol/catalog.ts";

/** Every code of {@link AppError}. Start-up problems: printed by the CLI, never on the wire. */
const APP_CODES = {
  ERR_APP_OPTION: {},
  ERR_APP_DATA_DIR: {},
  ERR_APP_START: {},
  ERR_APP_BAD_STATE: {},
} as const;

/** Stable codes of {@link AppError}. */
export type AppErrorCode = keyof typeof APP_CODES;

/** A start-up problem the owner can fix; its message is one line, fit to print as is. */
export class AppError extends CogwheelError<AppErrorCode> {
  static override readonly codes = APP_CODES;
  constructor(code: AppErrorCode, message: string, options?: CogwheelErrorOptions) {
    super(code, message, options);
    this.name = "AppError";
  }
}
