package dev.berth.testing;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** What an emulator saw: requests by path and by header name, connections, and the requests themselves. */
final class RequestLog {

  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final ConcurrentMap<String, AtomicInteger> byPath = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, AtomicInteger> byHeader = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<RecordedRequest> recorded = new ConcurrentLinkedQueue<>();
  private final AtomicReference<RecordedRequest> last = new AtomicReference<>();

  void connectionAccepted() {
    connections.incrementAndGet();
  }

  void record(String path, RecordedRequest request) {
    requests.incrementAndGet();
    byPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Set<String> names = new TreeSet<>();
    request.headers().keySet().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
    names.forEach(name -> byHeader.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet());
    recorded.add(request);
    last.set(request);
  }

  int connections() {
    return connections.get();
  }

  int requests() {
    return requests.get();
  }

  int requests(String path) {
    AtomicInteger count = byPath.get(path);
    return count == null ? 0 : count.get();
  }

  int requestsUnder(String pathPrefix) {
    return byPath.entrySet().stream()
        .filter(e -> e.getKey().startsWith(pathPrefix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  int requestsWithHeader(String name) {
    AtomicInteger count = byHeader.get(name.toLowerCase(Locale.ROOT));
    return count == null ? 0 : count.get();
  }

  Optional<RecordedRequest> last() {
    return Optional.ofNullable(last.get());
  }

  List<RecordedRequest> recorded() {
    return List.copyOf(recorded);
  }

  void reset() {
    requests.set(0);
    byPath.clear();
    byHeader.clear();
    recorded.clear();
    last.set(null);
    connections.set(0);
  }
}
