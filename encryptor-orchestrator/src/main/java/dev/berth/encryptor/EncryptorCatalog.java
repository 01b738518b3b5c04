package dev.berth.encryptor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;

/**
 * {@code --encryptor-catalog FILE|URL}: a JSON object mapping region to encryptor image id, as
 * brkt's {@code hvm_amis.json} was ({@code {"us-west-2": "ami-...", ...}}). A file is read off the
 * loop; an http(s) URL is fetched with the caller's client on its loop.
 */
final class EncryptorCatalog {

  private final HttpClient http;

  EncryptorCatalog(HttpClient http) {
    this.http = http;
  }

  Mono<String> imageFor(String catalog, String region) {
    Mono<String> text = catalog.startsWith("http://") || catalog.startsWith("https://")
        ? http.responseTimeout(Duration.ofSeconds(30)).get().uri(catalog)
            .responseSingle((response, body) -> response.status().code() == 200 ? body.asString()
                : Mono.error(EncryptorException.invalid("--encryptor-catalog " + catalog + " answered "
                    + response.status() + "; expected the catalog JSON")))
        : Mono.fromCallable(() -> Files.readString(Path.of(catalog))).subscribeOn(Schedulers.boundedElastic())
            .onErrorMap(IOException.class, e -> EncryptorException.invalid("--encryptor-catalog " + catalog
                + " cannot be read (" + e.getMessage() + "); expected a JSON file or an http(s) URL"));
    return text.map(json -> {
      JsonNode image;
      try {
        image = Journal.JSON.readTree(json).path(region);
      } catch (IOException e) {
        throw EncryptorException.invalid("--encryptor-catalog " + catalog + " is not JSON; expected {\"REGION\": \"ami-...\"}");
      }
      if (!image.isTextual() || !EncryptSpec.IMAGE_ID.matcher(image.asText()).matches()) {
        throw EncryptorException.invalid("--encryptor-catalog " + catalog + " names no image for " + region
            + "; expected {\"" + region + "\": \"ami-...\"}");
      }
      return image.asText();
    });
  }
}
