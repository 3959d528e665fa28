package rnnbook.keras;

/**
 * Keras's LSTM and GRU (reset_after) equations in plain Java float64, on arrays in C order, as an
 * independent reference for recorded gates. Shapes: x (batch, timesteps, features), weights as
 * Keras stores them, gates and states (batch, timesteps, units).
 */
public final class KerasEquations {
  private KerasEquations() {}

  /** h from recorded gates: {@code c_t = f*c_{t-1} + i*g}, {@code h_t = o*tanh(c_t)}; returns {c, h}. */
  public static double[][] lstmStates(float[] i, float[] f, float[] g, float[] o, int batch, int steps, int units) {
    double[] c = new double[i.length];
    double[] h = new double[i.length];
    for (int b = 0; b < batch; b++) {
      for (int u = 0; u < units; u++) {
        double prev = 0;
        for (int t = 0; t < steps; t++) {
          int k = (b * steps + t) * units + u;
          prev = f[k] * prev + i[k] * (double) g[k];
          c[k] = prev;
          h[k] = o[k] * Math.tanh(prev);
        }
      }
    }
    return new double[][] {c, h};
  }

  /** h from recorded gates: {@code h_t = z*h_{t-1} + (1-z)*hh}. */
  public static double[] gruStates(float[] z, float[] hh, int batch, int steps, int units) {
    double[] h = new double[z.length];
    for (int b = 0; b < batch; b++) {
      for (int u = 0; u < units; u++) {
        double prev = 0;
        for (int t = 0; t < steps; t++) {
          int k = (b * steps + t) * units + u;
          prev = z[k] * prev + (1 - (double) z[k]) * hh[k];
          h[k] = prev;
        }
      }
    }
    return h;
  }

  /** LSTM gates {i, f, g, o, c, h} from the weights, each (batch, timesteps, units). */
  public static double[][] lstmGates(float[] x, int batch, int steps, int features, float[] kernel,
      float[] recurrent, float[] bias, int units) {
    int n = batch * steps * units;
    double[][] out = new double[6][n];
    for (int b = 0; b < batch; b++) {
      double[] h = new double[units];
      double[] c = new double[units];
      for (int t = 0; t < steps; t++) {
        double[] z = affine(x, (b * steps + t) * features, features, kernel, h, recurrent, bias, 4 * units);
        double[] hNext = new double[units];
        for (int u = 0; u < units; u++) {
          double ig = sigmoid(z[u]);
          double fg = sigmoid(z[units + u]);
          double gg = Math.tanh(z[2 * units + u]);
          double og = sigmoid(z[3 * units + u]);
          c[u] = fg * c[u] + ig * gg;
          hNext[u] = og * Math.tanh(c[u]);
          int k = (b * steps + t) * units + u;
          double[] v = {ig, fg, gg, og, c[u], hNext[u]};
          for (int q = 0; q < 6; q++) {
            out[q][k] = v[q];
          }
        }
        h = hNext;
      }
    }
    return out;
  }

  /** GRU (reset_after, bias (2, 3u)) gates {z, r, hh, h} from the weights. */
  public static double[][] gruGates(float[] x, int batch, int steps, int features, float[] kernel,
      float[] recurrent, float[] bias, int units) {
    int n = batch * steps * units;
    double[][] out = new double[4][n];
    float[] inputBias = java.util.Arrays.copyOfRange(bias, 0, 3 * units);
    float[] recurrentBias = java.util.Arrays.copyOfRange(bias, 3 * units, 6 * units);
    for (int b = 0; b < batch; b++) {
      double[] h = new double[units];
      for (int t = 0; t < steps; t++) {
        double[] xs = affine(x, (b * steps + t) * features, features, kernel, null, null, inputBias, 3 * units);
        double[] rs = affine(null, 0, 0, null, h, recurrent, recurrentBias, 3 * units);
        double[] hNext = new double[units];
        for (int u = 0; u < units; u++) {
          double z = sigmoid(xs[u] + rs[u]);
          double r = sigmoid(xs[units + u] + rs[units + u]);
          double hh = Math.tanh(xs[2 * units + u] + r * rs[2 * units + u]);
          hNext[u] = z * h[u] + (1 - z) * hh;
          int k = (b * steps + t) * units + u;
          double[] v = {z, r, hh, hNext[u]};
          for (int q = 0; q < 4; q++) {
            out[q][k] = v[q];
          }
        }
        h = hNext;
      }
    }
    return out;
  }

  /** x[from:from+features] @ kernel + h @ recurrent + bias, width columns; null parts are left out. */
  private static double[] affine(float[] x, int from, int features, float[] kernel, double[] h,
      float[] recurrent, float[] bias, int width) {
    double[] z = new double[width];
    for (int j = 0; j < width; j++) {
      double s = bias[j];
      for (int a = 0; a < features; a++) {
        s += x[from + a] * (double) kernel[a * width + j];
      }
      if (h != null) {
        for (int a = 0; a < h.length; a++) {
          s += h[a] * recurrent[a * width + j];
        }
      }
      z[j] = s;
    }
    return z;
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }
}
