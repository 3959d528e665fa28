package rnnbook.chapter7;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import rnnbook.keras.Progbar;
import rnnbook.keras.TrainingListener;

/** A one-line live status of the models training side by side, on a terminal only. */
final class TrainingStatus {
  private final PrintStream out;
  private final boolean live;
  private final int epochs;
  private final Map<BookModel, String> state = new EnumMap<>(BookModel.class);
  private boolean shown;

  TrainingStatus(PrintStream out, List<BookModel> models, int epochs, boolean live) {
    this.out = out;
    this.live = live;
    this.epochs = epochs;
    models.forEach(m -> state.put(m, m.key() + " waiting"));
  }

  TrainingListener of(BookModel model) {
    return new TrainingListener() {
      @Override
      public void onEpochEnd(int epoch, double loss, double valLoss, double seconds) {
        update(model, model.key() + " " + epoch + "/" + epochs + " val_loss " + Progbar.number(valLoss));
      }
    };
  }

  private synchronized void update(BookModel model, String text) {
    state.put(model, text);
    if (live) {
      out.print("\r[training] " + String.join(" | ", state.values()) + "\033[K");
      out.flush();
      shown = true;
    }
  }

  synchronized void clear() {
    if (shown) {
      out.print("\r\033[K");
      out.flush();
      shown = false;
    }
  }
}
