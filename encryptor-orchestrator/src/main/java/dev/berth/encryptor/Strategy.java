package dev.berth.encryptor;

/** How an image is encrypted. */
public enum Strategy {
  /**
   * EBS encryption by EC2 itself: {@code CopyImage} with {@code Encrypted} and the key; for images
   * with billing product codes (which cannot be copied), launch with every EBS mapping encrypted,
   * stop, {@code CreateImage}, terminate.
   */
  NATIVE,
  /** brkt-cli's flow with an in-guest encryptor instance reporting over its status port (not yet built). */
  INSTANCE
}
