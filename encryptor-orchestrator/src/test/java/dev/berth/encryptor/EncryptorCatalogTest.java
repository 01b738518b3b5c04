package dev.berth.encryptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

final class EncryptorCatalogTest {

  private static final String JSON = "{\"us-west-2\": \"ami-0eeeeeeeeeeeeeeee\", \"eu-west-1\": \"ami-01234567\"}";

  @TempDir
  Path dir;

  private final EncryptorCatalog catalog = new EncryptorCatalog(HttpClient.create().runOn(EncryptorHarness.loop()));

  @Test
  void imageFor_file_regionsImage() throws Exception {
    Path file = Files.writeString(dir.resolve("hvm_amis.json"), JSON);

    StepVerifier.create(catalog.imageFor(file.toString(), "us-west-2")).expectNext("ami-0eeeeeeeeeeeeeeee")
        .verifyComplete();
  }

  @Test
  void imageFor_urlOnLoopback_regionsImage() {
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .route(r -> r.get("/hvm_amis.json", (request, response) -> response.sendString(Mono.just(JSON)))).bindNow();
    try {
      StepVerifier.create(catalog.imageFor("http://127.0.0.1:" + server.port() + "/hvm_amis.json", "eu-west-1"))
          .expectNext("ami-01234567").verifyComplete();
    } finally {
      server.disposeNow(Duration.ofSeconds(5));
    }
  }

  @Test
  void imageFor_noImageForTheRegion_orNoFile_refusedNamingTheOption() throws Exception {
    Path file = Files.writeString(dir.resolve("hvm_amis.json"), JSON);

    StepVerifier.create(catalog.imageFor(file.toString(), "ap-south-1"))
        .expectErrorMatches(e -> e instanceof EncryptorException x && x.kind() == EncryptorException.Kind.INVALID
            && x.getMessage().contains("names no image for ap-south-1"))
        .verify(Duration.ofSeconds(5));
    StepVerifier.create(catalog.imageFor(dir.resolve("missing.json").toString(), "us-west-2"))
        .expectErrorMatches(e -> e.getMessage().startsWith("--encryptor-catalog " + dir.resolve("missing.json") + " cannot be read"))
        .verify(Duration.ofSeconds(5));
  }
}
