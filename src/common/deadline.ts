/**
 * `promise`, or a rejection with `message` once `ms` have passed, whichever comes first; the
 * timer neither outlives the race nor keeps the process alive. The work behind `promise` is not
 * cancelled: callers use this where a dependency may freeze and the caller must not.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms).unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
