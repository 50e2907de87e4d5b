/** Stable codes of {@link AppError}. */
export type AppErrorCode = "ERR_APP_OPTION" | "ERR_APP_DATA_DIR" | "ERR_APP_START" | "ERR_APP_BAD_STATE";

/** A start-up problem the owner can fix; its message is one line, fit to print as is. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
  }
}
