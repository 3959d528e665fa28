package rnnbook.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgbarTest {
  @Test
  void printsKerasEpochLines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Progbar bar = new Progbar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    bar.onEpochBegin(7, 100, 2048);
    bar.onBatchEnd(32, 0.06);
    bar.onEpochEnd(7, 0.0509, 0.0505, 2.2);
    bar.onEvaluateEnd(440, 6.0522e-4, 0.1166);
    assertEquals("Epoch 7/100\n"
        + "2048/2048 [==============================] - 2s 1ms/sample - loss: 0.0509 - val_loss: 0.0505\n"
        + "440/440 [==============================] - 0s 265us/sample - loss: 6.0522e-04\n",
        bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void barShowsProgress() {
    assertEquals("  32/2048 [..............................]", Progbar.bar(32, 2048));
    assertEquals("1024/2048 [==============>...............]", Progbar.bar(1024, 2048));
  }
}
