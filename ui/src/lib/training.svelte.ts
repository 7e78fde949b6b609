// The walkthrough being presented in training mode (shared by the training screens).
import type { WalkthroughView } from "./bindings/WalkthroughView";

class Presenter {
  view = $state<WalkthroughView | null>(null);
  /** Larger type for a projector, the current step highlighted, the note beside it. */
  presentation = $state(false);
}

export const presenter = new Presenter();
