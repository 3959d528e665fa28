package rnnbook.keras;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import rnnbook.keras.layers.Layer;
import rnnbook.keras.layers.RNN;

/**
 * Writes a built model as a SavedModel that loads wherever TensorFlow does: a {@code
 * serving_default} signature from {@code <first layer>_input} to {@code <last layer>}, as Keras
 * names them. The only type of the core that writes files.
 */
final class SavedModelExport {
  private final Sequential model;
  private final ModelGraph g;
  private final Session session;
  private Operand<TFloat32> exported; // built at the first export

  SavedModelExport(Sequential model, ModelGraph g, Session session) {
    this.model = model;
    this.g = g;
    this.session = session;
  }

  void export(Path dir) throws IOException {
    List<Layer> layers = model.layers();
    boolean portable = layers.stream().anyMatch(l -> l instanceof RNN r && r.needsPortableExport());
    if (exported == null) {
      exported = portable ? portablePrediction() : g.prediction;
    }
    Signature signature = Signature.builder()
        .key(Signature.DEFAULT_KEY)
        .input(layers.get(0).name() + "_input", g.x)
        .output(layers.get(layers.size() - 1).name(), exported)
        .build();
    SavedModelBundle.exporter(dir.toString())
        .withSession(session)
        .withFunction(session.function(signature))
        .export();
    if (portable) {
      withoutProcessLocalOps(dir.resolve("saved_model.pb"));
    }
  }

  /**
   * The model's output built again from TensorFlow's own ops on the same variables: a graph with
   * native-kernel ops only runs where rnnbook loaded them. Built at the first export (the session
   * takes the new nodes in), so that training graphs do not carry it.
   */
  private Operand<TFloat32> portablePrediction() {
    Ops portable = g.tf.withSubScope("portable");
    Operand<TFloat32> p = g.x;
    for (Layer layer : model.layers()) {
      p = layer.callPortable(portable, p);
    }
    return g.tf.withName("exported_prediction").identity(p);
  }

  /**
   * Removes from a SavedModel's graph the native-kernel ops and every op that depends on them
   * (the training path), so that it loads wherever TensorFlow does; the exported signature is
   * built from TensorFlow's own ops and keeps all it needs.
   */
  static void withoutProcessLocalOps(Path savedModelPb) throws IOException {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(savedModelPb));
    SavedModel.Builder out = saved.toBuilder();
    for (int i = 0; i < saved.getMetaGraphsCount(); i++) {
      GraphDef graphDef = saved.getMetaGraphs(i).getGraphDef();
      Set<String> removed = new HashSet<>();
      boolean grew = true;
      while (grew) {
        grew = false;
        for (NodeDef node : graphDef.getNodeList()) {
          if (!removed.contains(node.getName()) && (node.getOp().startsWith("Rnnbook")
              || node.getInputList().stream().anyMatch(in -> removed.contains(inputNode(in))))) {
            removed.add(node.getName());
            grew = true;
          }
        }
      }
      GraphDef.Builder kept = graphDef.toBuilder().clearNode();
      graphDef.getNodeList().stream().filter(n -> !removed.contains(n.getName())).forEach(kept::addNode);
      out.setMetaGraphs(i, saved.getMetaGraphs(i).toBuilder().setGraphDef(kept));
    }
    Files.write(savedModelPb, out.build().toByteArray());
  }

  /** The node an input names: "^node" (a control input), "node", "node:1". */
  private static String inputNode(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }
}
