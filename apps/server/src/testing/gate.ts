/** A promise with its resolve: something a test holds (a handler, a route, a transaction) until it opens it. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}
