/** A command line or environment setting that describes no valid topology; one line, with the fix. */
export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TopologyError";
  }
}
