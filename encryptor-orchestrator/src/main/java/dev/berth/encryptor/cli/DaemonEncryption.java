package dev.berth.encryptor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.encryptor.EncryptRequest;
import dev.berth.encryptor.EncryptorException;
import dev.berth.runtime.DaemonClient;
import dev.berth.runtime.DaemonClient.DaemonException;
import java.io.PrintWriter;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes. The run belongs to the daemon: this process submits it, follows its events and
 * prints its result exactly as an in-process run does (the new image id alone on stdout, the same
 * message and exit status on failure). Ctrl-C or SIGTERM here cancels the daemon's job, which
 * cleans up before it answers; a killed command line leaves the job running in the daemon.
 */

/** {@code encrypt --daemon}: the run submitted to a Berth daemon and followed to its end. */
final class DaemonEncryption {

  private static final Logger LOG = LoggerFactory.getLogger("berth-encryptor");

  private DaemonEncryption() {}

  static int run(String daemonAddress, EncryptRequest request, PrintWriter out) throws Exception {
    try (DaemonClient daemon = DaemonClient.connect(daemonAddress)) {
      JsonNode job = daemon.call("POST", "/v1/encryptions", request.toJson()).onErrorMap(DaemonException.class,
          error -> error.code().equals("invalid_request")
              ? new EncryptorException(EncryptorException.Kind.INVALID, error.getMessage(), null) : error).block();
      String id = job.path("id").asText();
      LOG.info("session {} runs in the Berth daemon at {} (Ctrl-C here cancels it and cleans up)", id, daemonAddress);
      CompletableFuture<JsonNode> end = daemon.events("/v1/encryptions/" + id + "/events")
          .doOnNext(event -> LOG.debug("{}: {}", id, event))
          .filter(event -> event.path("finished").isTextual())
          .next().toFuture();
      JsonNode last;
      try (Interrupts interrupts = Interrupts.cancelling(end)) {
        last = end.get();
      } catch (CancellationException e) {
        LOG.warn("interrupted; cancelling session {} in the daemon, which cleans it up", id);
        JsonNode cancelled = daemon.call("DELETE", "/v1/encryptions/" + id, null).block();
        if (!cancelled.path("error").isNull() && !cancelled.path("error").isMissingNode()) {
          LOG.warn("{}", cancelled.path("error").asText());
        }
        return EncryptorCli.INTERRUPTED;
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      return switch (last.path("state").asText()) {
        case "succeeded" -> {
          out.println(last.path("imageId").asText());
          yield 0;
        }
        case "cancelled" -> EncryptorCli.INTERRUPTED;
        default -> throw new EncryptorException("invalid".equals(last.path("errorKind").asText())
            ? EncryptorException.Kind.INVALID : EncryptorException.Kind.FAILED, last.path("error").asText(), null);
      };
    }
  }
}
