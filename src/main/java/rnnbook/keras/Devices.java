package rnnbook.keras;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * The devices TensorFlow sees, through the C API (TF Java has no public call for it). Graph ops
 * are placed on the first GPU when there is one, so this names the device a run used.
 */
public final class Devices {
  private Devices() {}

  private static List<String> devices; // listed once: they do not change while the process runs

  /** Device names such as {@code /job:localhost/replica:0/task:0/device:CPU:0} with their types. */
  public static synchronized List<String> list() {
    if (devices == null) {
      devices = List.copyOf(listFromSession());
    }
    return devices;
  }

  private static List<String> listFromSession() {
    TensorFlow.version(); // loads the native library
    List<String> out = new ArrayList<>();
    TF_Status status = TF_NewStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    // one thread, like the models' sessions: TensorFlow sizes the CPU device's process-wide pool
    // from the first session it creates, and a pool of one thread per core, made here, would
    // then serve every later session's kernels (measured: training steps 20-25 % slower, the
    // spare workers busy on the sibling core)
    byte[] config = ConfigProto.newBuilder().setIntraOpParallelismThreads(1)
        .setInterOpParallelismThreads(1).build().toByteArray();
    try (BytePointer bytes = new BytePointer(config)) {
      TF_SetConfig(options, bytes, config.length, status);
    }
    TF_Session session = TF_NewSession(graph, options, status);
    try {
      TF_DeviceList devices = TF_SessionListDevices(session, status);
      for (int i = 0; i < TF_DeviceListCount(devices); i++) {
        out.add(TF_DeviceListType(devices, i, status).getString() + " "
            + TF_DeviceListName(devices, i, status).getString());
      }
      TF_DeleteDeviceList(devices);
    } finally {
      TF_CloseSession(session, status);
      TF_DeleteSession(session, status);
      TF_DeleteSessionOptions(options);
      TF_DeleteGraph(graph);
      TF_DeleteStatus(status);
    }
    return out;
  }

  /** {@code GPU} when TensorFlow sees a GPU (and so runs the graphs there), else {@code CPU}. */
  public static String used() {
    return list().stream().anyMatch(d -> d.startsWith("GPU")) ? "GPU" : "CPU";
  }
}
