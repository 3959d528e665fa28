package rnnbook.io;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;

/**
 * Which graph op holds the variable of each object graph node of a TF2 SavedModel.
 *
 * <p>A graph node that calls a saved concrete function ({@code StatefulPartitionedCall}, as every
 * signature does) passes the captured variable handles as its last inputs, in the order of that
 * function's {@code bound_inputs}, which are object graph node ids. That pairs node ids with ops
 * exactly, whatever the ops are called. A variable that no call captures is looked up by its
 * saved name, and only when exactly one {@code VarHandleOp} carries that name.
 */
final class VariableOps {
  private final Map<Integer, String> bound = new HashMap<>();
  private final Map<String, NodeDef> nodes;

  VariableOps(SavedObjectGraph graph, Map<String, NodeDef> nodes) {
    this.nodes = nodes;
    Map<String, SavedConcreteFunction> functions = graph.getConcreteFunctionsMap();
    Map<Integer, String> conflicts = new HashMap<>();
    for (NodeDef call : nodes.values()) {
      if (!call.getOp().endsWith("PartitionedCall") || !call.containsAttr("f")) {
        continue;
      }
      SavedConcreteFunction fn = functions.get(call.getAttrOrThrow("f").getFunc().getName());
      List<String> data = call.getInputList().stream().filter(s -> !s.startsWith("^")).toList();
      if (fn == null || data.size() < fn.getBoundInputsCount()) {
        continue;
      }
      int offset = data.size() - fn.getBoundInputsCount();
      for (int i = 0; i < fn.getBoundInputsCount(); i++) {
        String op = data.get(offset + i).replaceFirst(":\\d+$", "");
        String before = bound.putIfAbsent(fn.getBoundInputs(i), op);
        if (before != null && !before.equals(op)) {
          conflicts.put(fn.getBoundInputs(i), op);
        }
      }
    }
    conflicts.keySet().forEach(bound::remove); // two calls disagree: trust neither
  }

  /** The op of node {@code nodeId}, whose saved name is {@code savedName}; {@code where} names the SavedModel in errors. */
  String opOf(int nodeId, String savedName, Object where) {
    String op = bound.get(nodeId);
    if (op != null) {
      return op;
    }
    List<String> named = nodes.values().stream()
        .filter(n -> n.getOp().equals("VarHandleOp"))
        .filter(n -> n.getAttrOrDefault("shared_name", AttrValue.getDefaultInstance()).getS().toStringUtf8()
            .equals(savedName))
        .map(NodeDef::getName).toList();
    if (named.size() != 1) {
      throw new IllegalArgumentException("cannot find the graph variable of object graph node " + nodeId
          + " ('" + savedName + "') in " + where + ": no function call captures it and " + named.size()
          + " variables carry its name");
    }
    return named.get(0);
  }
}
