package dev.berth.proxy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the proxy logs while it is open: slf4j-simple writes to whatever {@code System.err} is at
 * the time of each line, so swapping it captures the log (still echoed to the real stderr).
 */
final class StderrCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private StderrCapture() {
    OutputStream tee = new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (captured) {
          captured.write(bytes, offset, length);
        }
        original.write(bytes, offset, length);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  static StderrCapture start() {
    return new StderrCapture();
  }

  /** Every line logged so far. */
  List<String> lines() {
    synchronized (captured) {
      return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** The lines logged so far that contain {@code text}. */
  List<String> linesWith(String text) {
    return lines().stream().filter(line -> line.contains(text)).toList();
  }

  @Override
  public void close() {
    System.err.flush();
    System.setErr(original);
  }
}
