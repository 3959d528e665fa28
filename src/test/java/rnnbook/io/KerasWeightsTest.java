package rnnbook.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import rnnbook.chapter7.BookModel;
import rnnbook.data.Npy;
import rnnbook.data.Npz;
import rnnbook.keras.Adam;
import rnnbook.keras.CompiledModel;
import rnnbook.keras.CompiledModel.WeightValue;
import rnnbook.keras.Loss;

/** Weights out of SavedModels (ours and Keras's) in get_weights() order, and .npz weights into models. */
class KerasWeightsTest {
  @ParameterizedTest
  @EnumSource(BookModel.class)
  void ourSavedModelGivesGetWeightsInOrder(BookModel spec, @TempDir Path dir) throws IOException {
    try (CompiledModel m = spec.create(4).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 11)) {
      SavedModels.export(m, dir.resolve("model"));
      List<WeightValue> expected = m.getWeights();
      try (KerasSavedModel saved = KerasSavedModel.load(dir.resolve("model"))) {
        List<String> names = expected.stream().map(WeightValue::name).toList();
        String r = spec.key();
        assertEquals(List.of(r + "/kernel", r + "/recurrent_kernel", r + "/bias", r + "_1/kernel",
            r + "_1/recurrent_kernel", r + "_1/bias", "dense/kernel", "dense/bias"), names);
        assertTrue(saved.graphVariableNames("VariableV2").containsAll(names), "graph variables carry Keras's names");
        assertTrue(saved.graphVariableNames("VariableV2").contains("Adam/" + r + "_1/recurrent_kernel/m"));
        List<WeightValue> exported = KerasWeights.fromSavedModel(saved);
        assertEquals(names, exported.stream().map(WeightValue::name).toList());
        for (int i = 0; i < expected.size(); i++) {
          assertArrayEquals(expected.get(i).shape(), exported.get(i).shape());
          assertArrayEquals(expected.get(i).values(), exported.get(i).values());
        }
      }
    }
  }

  @Test
  void kerasSavedModelGivesItsRootVariablesInGetWeightsOrder() throws IOException {
    try (KerasSavedModel saved = KerasSavedModel.load(SharedFixtures.savedModel(SharedFixtures.GRU_DENSE))) {
      List<WeightValue> exported = KerasWeights.fromSavedModel(saved);
      KerasImport.Imported imported = KerasImport.rebuild(saved, null);
      assertEquals(imported.weights().stream().map(KerasModel.Weight::name).toList(),
          exported.stream().map(WeightValue::name).toList());
      assertEquals("gru_3/gru_cell_3/bias", exported.get(2).name());
      assertArrayEquals(new long[] {2, 192}, exported.get(2).shape());
      for (int i = 0; i < exported.size(); i++) {
        assertArrayEquals(imported.weights().get(i).values(), exported.get(i).values());
      }
    }
  }

  @Test
  void wrongArraysAreNamedAndLeaveTheModelAsItWas(@TempDir Path dir) throws IOException {
    try (CompiledModel m = BookModel.LSTM.create(3).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 2)) {
      List<WeightValue> before = m.getWeights();
      List<Npy.Array> arrays = new java.util.ArrayList<>(before.stream().map(w -> Npy.of(w.shape(), w.values())).toList());
      arrays.set(2, new Npy.Array(new long[] {30}, new double[30]));
      Path wrongShape = dir.resolve("shape.npz");
      Npz.writePositional(wrongShape, arrays, Npy.Dtype.FLOAT32);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(wrongShape, m));
      assertEquals(wrongShape + ": arr_2 (lstm/bias) has shape (30,), expected (120,)", e.getMessage());

      Path tooFew = dir.resolve("few.npz");
      Npz.writePositional(tooFew, arrays.subList(0, 7), Npy.Dtype.FLOAT32);
      e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(tooFew, m));
      assertTrue(e.getMessage().startsWith(tooFew + " holds 7 arrays, model sequential_1 expects 8: lstm/kernel (2, 120), "),
          e.getMessage());
      List<WeightValue> after = m.getWeights();
      for (int i = 0; i < before.size(); i++) {
        assertArrayEquals(before.get(i).values(), after.get(i).values());
      }
    }
  }

  /** initial_weights.npz as a chapter run writes it: Keras names in get_weights() order, read back by order. */
  @Test
  void namedArchivesRoundTripAndNameTheWrongArray(@TempDir Path dir) throws IOException {
    try (CompiledModel a = BookModel.GRU.create(3).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 2);
        CompiledModel b = BookModel.GRU.create(3).compile(Adam.Config.defaults(), Loss.MEAN_SQUARED_ERROR, 3)) {
      Path npz = dir.resolve("initial_weights.npz");
      KerasWeights.writeNamed(npz, a.getWeights());
      assertEquals(List.of("gru/kernel", "gru/recurrent_kernel", "gru/bias", "gru_1/kernel", "gru_1/recurrent_kernel",
          "gru_1/bias", "dense/kernel", "dense/bias"), List.copyOf(Npz.read(npz).keySet()));
      KerasWeights.load(npz, b);
      for (int i = 0; i < 8; i++) {
        assertArrayEquals(a.getWeights().get(i).values(), b.getWeights().get(i).values());
      }
      var arrays = new java.util.LinkedHashMap<>(Npz.read(npz));
      arrays.put("gru_1/bias", new Npy.Array(new long[] {90}, new double[90]));
      Npz.write(npz, arrays, Npy.Dtype.FLOAT32);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KerasWeights.load(npz, b));
      assertEquals(npz + ": array 5 'gru_1/bias' (gru_1/bias) has shape (90,), expected (2, 90)", e.getMessage());
    }
  }
}
