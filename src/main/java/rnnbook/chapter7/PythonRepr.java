package rnnbook.chapter7;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers printed as Python prints them: the shortest decimal that reads back to the same value
 * ({@code repr} of a float64, numpy's {@code repr} of a float32), positional for exponents in
 * [-4, 16), else {@code 1.5e-05}.
 */
public final class PythonRepr {
  private PythonRepr() {}

  /** Python's {@code repr(float)}. */
  public static String of(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0.0" : "0.0";
    }
    for (int p = 1; p <= 17; p++) {
      BigDecimal d = new BigDecimal(v).round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.doubleValue() == v) {
        return render(d);
      }
    }
    return render(new BigDecimal(v));
  }

  /** numpy's {@code repr(np.float32)}. */
  public static String of(float v) {
    if (Float.isNaN(v) || Float.isInfinite(v) || v == 0) {
      return of((double) v);
    }
    for (int p = 1; p <= 9; p++) {
      BigDecimal d = new BigDecimal(v).round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (d.floatValue() == v) {
        return render(d);
      }
    }
    return render(new BigDecimal(v));
  }

  private static String render(BigDecimal d) {
    BigDecimal stripped = d.stripTrailingZeros();
    String digits = stripped.unscaledValue().abs().toString();
    int exponent = digits.length() - 1 - stripped.scale(); // of the first digit
    String sign = stripped.signum() < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = stripped.abs().toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
  }
}
