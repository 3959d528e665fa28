package rnnbook.chapter7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Expected strings are what Python 3 and numpy print for the same values. */
class PythonReprTest {
  @Test
  void doublesPrintAsPythonRepr() {
    assertEquals("0.034887773363423434", PythonRepr.of(0.034887773363423434));
    assertEquals("0.01105817276375285", PythonRepr.of(0.01105817276375285));
    assertEquals("9.318181818181818", PythonRepr.of((double) (440 - 399) / 440 * 100));
    assertEquals("0.1", PythonRepr.of(0.1));
    assertEquals("100.0", PythonRepr.of(100.0));
    assertEquals("0.0001", PythonRepr.of(0.0001));
    assertEquals("1e-05", PythonRepr.of(0.00001));
    assertEquals("1.5e-05", PythonRepr.of(0.000015));
    assertEquals("1e+16", PythonRepr.of(1e16));
    assertEquals("0.30000000000000004", PythonRepr.of(0.1 + 0.2));
    assertEquals("2e-323", PythonRepr.of(2e-323));
  }

  @Test
  void floatsPrintAsNumpyFloat32Repr() {
    assertEquals("0.045945946", PythonRepr.of(0.045945946f));
    assertEquals("0.1", PythonRepr.of(0.1f));
    assertEquals("1e-05", PythonRepr.of(1e-5f));
    assertEquals("-0.25", PythonRepr.of(-0.25f));
  }
}
