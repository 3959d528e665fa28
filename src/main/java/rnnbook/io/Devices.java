package rnnbook.io;

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

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * The devices TensorFlow sees, through the C API (TF Java has no public call for it). Graph ops
 * are placed on the first GPU when there is one, so this names the device a run used.
 */
public final class Devices {
  private Devices() {}

  /** Device names such as {@code /job:localhost/replica:0/task:0/device:CPU:0} with their types. */
  public static List<String> list() {
    TensorFlow.version(); // loads the native library
    List<String> out = new ArrayList<>();
    TF_Status status = TF_NewStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
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
