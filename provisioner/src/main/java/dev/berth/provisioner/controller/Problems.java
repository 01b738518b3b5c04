package dev.berth.provisioner.controller;

import dev.berth.provisioner.ec2.Ec2CallException;
import dev.berth.provisioner.store.Problem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Failures turned into stored {@link Problem}s with their backoff, and the client tokens of launches. */
final class Problems {

  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private Problems() {}

  /**
   * The problem after {@code error}: consecutive failures count up, and throttling or missing
   * capacity back off exponentially from {@code base} to {@code max}.
   */
  static Problem after(Throwable error, Optional<Problem> previous, Instant now, Duration base, Duration max) {
    Ec2CallException failure = Ec2CallException.from(error);
    int attempts = previous.map(p -> p.attempts() + 1).orElse(1);
    Optional<Instant> retryAt = Optional.empty();
    if (failure.kind() == Ec2CallException.Kind.THROTTLED || failure.kind() == Ec2CallException.Kind.NO_CAPACITY) {
      Duration wait = base;
      for (int i = 1; i < attempts && wait.compareTo(max) < 0; i++) {
        wait = wait.multipliedBy(2);
      }
      retryAt = Optional.of(now.plus(wait.compareTo(max) > 0 ? max : wait));
    }
    return new Problem(failure.code(), String.valueOf(failure.getMessage()), now, attempts, retryAt);
  }

  static boolean backingOff(Optional<Problem> problem, Instant now) {
    return problem.flatMap(Problem::retryAt).map(now::isBefore).orElse(false);
  }

  /**
   * The client token of launch {@code index} of round {@code serial}: stable for the same
   * arguments, distinct across groups, configurations, rounds and batches; 38 ASCII characters.
   */
  static String clientToken(String groupId, String configHash, long serial, int index) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(
          (groupId + "\n" + configHash + "\n" + serial + "\n" + index).getBytes(StandardCharsets.UTF_8));
      StringBuilder out = new StringBuilder("berth-");
      int buffer = 0;
      int bits = 0;
      for (byte b : digest) {
        buffer = (buffer << 8) | (b & 0xFF);
        bits += 8;
        while (bits >= 5 && out.length() < 38) {
          out.append(BASE32[(buffer >> (bits - 5)) & 0x1F]);
          bits -= 5;
        }
      }
      return out.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-1", e);
    }
  }
}
