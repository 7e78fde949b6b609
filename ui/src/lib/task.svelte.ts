// One action at a time on a screen: whether it is running, what it refused, what it did.
import { toApiError } from "./backend";
import type { ApiError } from "./bindings/ApiError";

export class Task {
  busy = $state(false);
  error = $state<ApiError | null>(null);
  notice = $state("");

  /** Runs `action` unless another is running; a failure becomes `error`. */
  async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.notice = "";
    try {
      await action();
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.busy = false;
    }
  }
}
