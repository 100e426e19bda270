/**
 * A filter that cannot be compiled: syntax errors, non-boolean results,
 * unknown names, type errors and unsupported constructs. The server answers
 * `InvalidArgument` with {@link FilterError.message}.
 */
export class FilterError extends Error {
  override readonly name = "FilterError";
  constructor(
    message: string,
    /** Zero-based offset in the expression, when known. */
    readonly position?: number,
  ) {
    super(message);
  }
}
