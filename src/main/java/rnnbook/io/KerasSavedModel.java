package rnnbook.io;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedVariable;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import rnnbook.data.InputFiles;

/**
 * A SavedModel (written by Python TensorFlow 2.x, or by this project) loaded for inference: its
 * signatures with their input and output names, dtypes and shapes, a way to run them, and its
 * variables read back by object graph node or by graph op.
 *
 * <p>Variables of a TF2 SavedModel are found through the object graph, never guessed from names
 * or shapes: the graph node that calls a signature's concrete function passes the captured
 * variable handles last, in the order of that function's {@code bound_inputs}, which are object
 * graph node ids. Owns the loaded graph and session; close it.
 */
public final class KerasSavedModel implements AutoCloseable {
  /** The tag Keras's {@code model.save} gives the one MetaGraph. */
  public static final String SERVE = "serve";
  /** The signature Keras exports a model's call as. */
  public static final String SERVING_DEFAULT = "serving_default";

  /** One input or output of a signature; {@code shape} is null for an unknown rank, -1 marks an unknown size. */
  public record TensorSpec(String key, String tensorName, String dtype, long[] shape) {
    /** Python-style shape: {@code (None, 7, 1)}, or {@code <unknown>}. */
    public String shapeString() {
      if (shape == null) {
        return "<unknown>";
      }
      return Arrays.stream(shape).mapToObj(d -> d < 0 ? "None" : Long.toString(d))
          .collect(Collectors.joining(", ", "(", shape.length == 1 ? ",)" : ")"));
    }
  }

  /** A signature: its key, its inputs and outputs sorted by key. */
  public record SignatureSpec(String key, List<TensorSpec> inputs, List<TensorSpec> outputs) {}

  /** A float32 array in C order with its full shape. */
  public record Floats(long[] shape, float[] values) {
    public Floats {
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      if (n != values.length) {
        throw new IllegalArgumentException(
            "shape " + Arrays.toString(shape) + " holds " + n + " values, received " + values.length);
      }
    }
  }

  private final Path dir;
  private final MetaGraphDef meta;
  private final SavedModelBundle bundle;
  private final Map<String, NodeDef> nodes = new LinkedHashMap<>();
  private final VariableOps variableOps;
  private final Map<String, Operand<TFloat32>> reads = new HashMap<>();
  private boolean closed;

  private KerasSavedModel(Path dir, MetaGraphDef meta, SavedModelBundle bundle) {
    this.dir = dir;
    this.meta = meta;
    this.bundle = bundle;
    meta.getGraphDef().getNodeList().forEach(n -> nodes.put(n.getName(), n));
    this.variableOps = new VariableOps(meta.getObjectGraphDef(), nodes);
  }

  /**
   * Loads the SavedModel in {@code dir} with the {@code serve} tag. A missing directory, a
   * missing or unreadable {@code saved_model.pb} and variables that cannot be restored are each
   * reported in one line as an {@link IllegalArgumentException}.
   */
  public static KerasSavedModel load(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new IllegalArgumentException("no SavedModel at " + dir + ": the directory does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("no SavedModel at " + dir + ": it is a file, not a directory");
    }
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      String found;
      try (Stream<Path> files = Files.list(dir)) {
        found = files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
      }
      throw new IllegalArgumentException("no SavedModel at " + dir + ": saved_model.pb is missing (found: "
          + (found.isEmpty() ? "nothing" : found) + ")");
    }
    SavedModel proto;
    try {
      proto = SavedModel.parseFrom(InputFiles.readAllBytes(pb, InputFiles.MAX_PROTO_BYTES));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(pb + " is not a SavedModel protobuf: " + firstLine(e.getMessage()));
    }
    MetaGraphDef meta = proto.getMetaGraphsList().stream()
        .filter(m -> m.getMetaInfoDef().getTagsList().contains(SERVE)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(pb + " has no MetaGraph tagged '" + SERVE
            + "', found tags " + proto.getMetaGraphsList().stream().map(m -> m.getMetaInfoDef().getTagsList()).toList()));
    boolean hasVariables = meta.getGraphDef().getNodeList().stream()
        .anyMatch(n -> n.getOp().equals("VarHandleOp") || n.getOp().startsWith("Variable"));
    if (hasVariables && !Files.isRegularFile(dir.resolve("variables").resolve("variables.index"))) {
      // TensorFlow would load the graph and leave every variable uninitialized
      throw new IllegalArgumentException("cannot restore the variables of the SavedModel at " + dir + ": "
          + dir.resolve("variables").resolve("variables.index") + " is missing");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), SERVE);
    } catch (TensorFlowException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      if (isRestoreFailure(e, message)) {
        throw new IllegalArgumentException("cannot restore the variables of the SavedModel at " + dir
            + " (" + dir.resolve("variables") + " is missing, truncated or corrupt): " + firstLine(message));
      }
      throw new IllegalArgumentException("cannot load the SavedModel at " + dir + ": " + firstLine(message));
    }
    return new KerasSavedModel(dir, meta, bundle);
  }

  /** The graph parsed, so a failure now is most likely the variables: truncated, corrupt or missing files. */
  private static boolean isRestoreFailure(TensorFlowException e, String message) {
    return e instanceof TFOutOfRangeException
        || Stream.of("RestoreV2", "restore", "sstable", "variables", "Read less bytes", "checksum", "table file")
            .anyMatch(message::contains);
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.strip().lines().findFirst().orElse("");
    return line.strip();
  }

  public Path dir() {
    return dir;
  }

  /** The TensorFlow version that wrote the SavedModel, such as {@code 2.15.0}; empty if unknown. */
  public String tensorflowVersion() {
    return meta.getMetaInfoDef().getTensorflowVersion();
  }

  /** The TF2 object graph; empty (no nodes) for a TF1-style SavedModel such as this project writes. */
  public SavedObjectGraph objectGraph() {
    return meta.getObjectGraphDef();
  }

  /** Every signature but the init op, sorted by key. */
  public List<SignatureSpec> signatures() {
    return meta.getSignatureDefMap().entrySet().stream()
        .filter(e -> !e.getKey().equals("__saved_model_init_op"))
        .sorted(Map.Entry.comparingByKey())
        .map(e -> spec(e.getKey(), e.getValue()))
        .toList();
  }

  /** The signature {@code key}; an unknown key is rejected with the valid ones listed. */
  public SignatureSpec signature(String key) {
    SignatureDef def = meta.getSignatureDefMap().get(key);
    if (def == null || key.equals("__saved_model_init_op")) {
      throw new IllegalArgumentException("the SavedModel at " + dir + " has no signature '" + key
          + "', its signatures are " + signatures().stream().map(SignatureSpec::key).toList());
    }
    return spec(key, def);
  }

  private static SignatureSpec spec(String key, SignatureDef def) {
    return new SignatureSpec(key, tensors(def.getInputsMap()), tensors(def.getOutputsMap()));
  }

  private static List<TensorSpec> tensors(Map<String, TensorInfo> map) {
    return map.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> new TensorSpec(e.getKey(), e.getValue().getName(), e.getValue().getDtype().name(),
            shape(e.getValue().getTensorShape())))
        .toList();
  }

  private static long[] shape(TensorShapeProto s) {
    return s.getUnknownRank() ? null : s.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }

  /**
   * Runs signature {@code key} on float32 inputs, one per input key, and returns every output by
   * key. Inputs must fit the signature's dtype and known dimensions.
   */
  public Map<String, Floats> run(String key, Map<String, Floats> inputs) {
    requireOpen();
    SignatureSpec sig = signature(key);
    List<String> expected = sig.inputs().stream().map(TensorSpec::key).toList();
    if (!expected.equals(inputs.keySet().stream().sorted().toList())) {
      throw new IllegalArgumentException("signature '" + key + "' takes inputs " + expected
          + ", received " + inputs.keySet().stream().sorted().toList());
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (TensorSpec in : sig.inputs()) {
        Floats value = inputs.get(in.key());
        checkInput(key, in, value.shape());
        feeds.put(in.key(), TFloat32.tensorOf(Shape.of(value.shape()), DataBuffers.of(value.values(), true, false)));
      }
      Map<String, Floats> out = new LinkedHashMap<>();
      try (Result r = bundle.function(key).call(feeds)) {
        for (TensorSpec o : sig.outputs()) {
          Tensor t = r.get(o.key()).orElseThrow(() -> new IllegalStateException(
              "signature '" + key + "' returned no output '" + o.key() + "'"));
          if (!(t instanceof TFloat32 f)) {
            throw new IllegalArgumentException("output '" + o.key() + "' of signature '" + key
                + "' has dtype " + o.dtype() + "; only float32 outputs are supported");
          }
          out.put(o.key(), copy(f));
        }
      }
      return out;
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private static void checkInput(String key, TensorSpec in, long[] shape) {
    if (!in.dtype().equals(DataType.DT_FLOAT.name())) {
      throw new IllegalArgumentException("input '" + in.key() + "' of signature '" + key + "' has dtype "
          + in.dtype() + "; only float32 inputs are supported");
    }
    boolean fits = in.shape() == null || in.shape().length == shape.length;
    for (int i = 0; fits && in.shape() != null && i < shape.length; i++) {
      fits = in.shape()[i] < 0 || in.shape()[i] == shape[i];
    }
    if (!fits) {
      throw new IllegalArgumentException("input '" + in.key() + "' of signature '" + key
          + "' expects shape " + in.shapeString() + ", received " + Arrays.toString(shape));
    }
  }

  private static Floats copy(TFloat32 t) {
    float[] values = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(values, false, false));
    return new Floats(t.shape().asArray(), values);
  }

  /** The saved variable of object graph node {@code nodeId}: its Keras name and shape. */
  public SavedVariable savedVariable(int nodeId) {
    SavedObjectGraph og = objectGraph();
    if (nodeId < 0 || nodeId >= og.getNodesCount() || !og.getNodes(nodeId).hasVariable()) {
      throw new IllegalArgumentException("object graph node " + nodeId + " of " + dir + " is not a variable");
    }
    return og.getNodes(nodeId).getVariable();
  }

  /**
   * The value of the variable at object graph node {@code nodeId}, read from the restored
   * session, its op found by {@link VariableOps}; its shape must be the saved one.
   */
  public Floats variable(int nodeId) {
    requireOpen();
    SavedVariable saved = savedVariable(nodeId);
    String op = variableOps.opOf(nodeId, saved.getName(), dir);
    long[] expected = shape(saved.getShape());
    Floats value = graphVariable(op);
    if (!Arrays.equals(expected, value.shape())) {
      throw new IllegalArgumentException("variable '" + saved.getName() + "' of " + dir + ": the object graph says shape "
          + Arrays.toString(expected) + ", graph op " + op + " holds " + Arrays.toString(value.shape()));
    }
    return value;
  }

  /**
   * The float32 value of graph variable {@code opName}: a resource variable ({@code
   * VarHandleOp}, TF2) or a reference variable ({@code VariableV2}, as this project exports).
   */
  public Floats graphVariable(String opName) {
    requireOpen();
    NodeDef node = nodes.get(opName);
    if (node == null || !(node.getOp().equals("VarHandleOp") || node.getOp().startsWith("Variable"))) {
      throw new IllegalArgumentException("the SavedModel at " + dir + " has no variable op '" + opName + "'");
    }
    DataType dtype = node.getAttrOrDefault("dtype", AttrValue.getDefaultInstance()).getType();
    if (dtype != DataType.DT_FLOAT) {
      throw new IllegalArgumentException("variable '" + opName + "' of " + dir + " has dtype " + dtype
          + "; only float32 weights are supported");
    }
    try (Result r = bundle.session().runner().fetch(readOf(opName, node)).run()) {
      return copy((TFloat32) r.get(0));
    } catch (TFFailedPreconditionException e) {
      throw new IllegalArgumentException("variable '" + opName + "' of the SavedModel at " + dir
          + " was not restored: " + firstLine(e.getMessage()));
    }
  }

  @SuppressWarnings("unchecked")
  private Operand<TFloat32> readOf(String opName, NodeDef node) {
    return reads.computeIfAbsent(opName, name -> {
      if (node.getOp().equals("VarHandleOp")) {
        Ops tf = Ops.create(bundle.graph()).withSubScope("rnnbook_read");
        return tf.readVariableOp(bundle.graph().operation(name).output(0), TFloat32.class);
      }
      Operand<?> ref = bundle.graph().operation(name).output(0);
      return (Operand<TFloat32>) ref;
    });
  }

  /** The names of the graph's variable ops of {@code type} ({@code VariableV2}, {@code VarHandleOp}), in graph order. */
  public List<String> graphVariableNames(String type) {
    return nodes.values().stream().filter(n -> n.getOp().equals(type)).map(NodeDef::getName).toList();
  }

  /** The object graph's node {@code id}. */
  public SavedObject node(int id) {
    return objectGraph().getNodes(id);
  }

  /** The child of node {@code id} called {@code name}, or -1. */
  public int child(int id, String name) {
    return node(id).getChildrenList().stream().filter(c -> c.getLocalName().equals(name))
        .mapToInt(c -> c.getNodeId()).findFirst().orElse(-1);
  }

  /** The children of node {@code id} in order, by local name. */
  public Map<String, Integer> children(int id) {
    Map<String, Integer> out = new LinkedHashMap<>();
    node(id).getChildrenList().forEach(c -> out.putIfAbsent(c.getLocalName(), c.getNodeId()));
    return out;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the SavedModel at " + dir + " is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      bundle.close();
    }
  }
}
