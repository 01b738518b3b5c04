package dev.berth.encryptor;

/** How an image is encrypted. */
public enum Strategy {
  /**
   * EBS encryption by EC2 itself: {@code CopyImage} with {@code Encrypted} and the key; for images
   * with billing product codes (which cannot be copied), launch with every EBS mapping encrypted,
   * stop, {@code CreateImage}, terminate.
   */
  NATIVE,
  /**
   * brkt-cli's flow: guest instance, snapshot of its root volume, an encryptor instance from
   * {@code --encryptor-ami} that copies it onto an encrypted volume while reporting over its status
   * port, then a new image registered from the encrypted volume's snapshot.
   */
  INSTANCE
}
