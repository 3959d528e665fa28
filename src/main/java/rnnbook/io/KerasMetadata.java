package rnnbook.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import rnnbook.data.InputFiles;

/**
 * The Keras half of a Keras 2 SavedModel: for each Keras object (model, layer, cell, metric) its
 * object graph node id and its metadata, a JSON object whose {@code class_name} and {@code
 * config} are the layer's Keras config.
 *
 * <p>TensorFlow 2.5 and later write it to {@code keras_metadata.pb}, a {@code SavedMetadata}
 * proto that TF Java does not ship:
 *
 * <pre>
 * message SavedMetadata { repeated SavedObject nodes = 1; }
 * message SavedObject { int32 node_id = 2; string node_path = 3; string identifier = 4;
 *                       string metadata = 5; VersionDef version = 6; }
 * </pre>
 *
 * Earlier versions (2.1 to 2.4) keep the same strings in the object graph's user objects.
 */
public final class KerasMetadata {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One Keras object: {@code identifier} such as {@code _tf_keras_rnn_layer}. */
  public record Entry(int nodeId, String nodePath, String identifier, JsonNode metadata) {
    /** The Keras class name, such as {@code LSTM}, or empty. */
    public String className() {
      return metadata.path("class_name").asText("");
    }
  }

  private final Map<Integer, Entry> entries;
  private final String source;

  private KerasMetadata(Map<Integer, Entry> entries, String source) {
    this.entries = Collections.unmodifiableMap(entries);
    this.source = source;
  }

  /** Reads {@code dir/keras_metadata.pb}, or the user objects of {@code graph} when it is absent. */
  public static KerasMetadata read(Path dir, SavedObjectGraph graph) throws IOException {
    Path file = dir.resolve("keras_metadata.pb");
    if (Files.isRegularFile(file)) {
      return new KerasMetadata(parse(InputFiles.readAllBytes(file, InputFiles.MAX_PROTO_BYTES), file.toString()),
          "keras_metadata.pb");
    }
    Map<Integer, Entry> entries = new LinkedHashMap<>();
    for (int id = 0; id < graph.getNodesCount(); id++) {
      SavedObject node = graph.getNodes(id);
      if (node.hasUserObject() && !node.getUserObject().getMetadata().isEmpty()) {
        String where = "the metadata of object graph node " + id;
        entries.put(id, new Entry(id, id == 0 ? "root" : "", node.getUserObject().getIdentifier(),
            json(node.getUserObject().getMetadata(), where)));
      }
    }
    return new KerasMetadata(entries, "the object graph's user objects");
  }

  static Map<Integer, Entry> parse(byte[] bytes, String where) throws IOException {
    Map<Integer, Entry> entries = new LinkedHashMap<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag >>> 3 == 1) {
          Entry e = entry(in.readBytes().newCodedInput(), where);
          entries.put(e.nodeId(), e);
        } else {
          in.skipField(tag);
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(where + " is not a Keras SavedMetadata protobuf: " + e.getMessage());
    }
    return entries;
  }

  private static Entry entry(CodedInputStream in, String where) throws IOException {
    int nodeId = 0;
    String path = "";
    String identifier = "";
    String metadata = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case 2 -> nodeId = in.readInt32();
        case 3 -> path = in.readString();
        case 4 -> identifier = in.readString();
        case 5 -> metadata = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Entry(nodeId, path, identifier, json(metadata, where + " (node " + path + ")"));
  }

  private static JsonNode json(String text, String where) {
    try {
      return JSON.readTree(text.isEmpty() ? "{}" : text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + " is not JSON: " + e.getOriginalMessage());
    }
  }

  /** The entry of object graph node {@code id}. */
  public Optional<Entry> node(int id) {
    return Optional.ofNullable(entries.get(id));
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Where the entries came from, for messages. */
  public String source() {
    return source;
  }
}
